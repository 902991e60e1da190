"""JSON nested deeper than Python recurses (a hostile target reply, a crafted manifest) is bad
input or a failed probe with a message, never an 'internal error'."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.errors import ProbeError
from aisec.common.exitcodes import ExitCode

DEEP = b"[" * 100_000 + b"]" * 100_000


class _Deep(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(DEEP)))
        self.end_headers()
        self.wfile.write(DEEP)


@pytest.fixture(scope="module")
def deep_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Deep)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_probe_target_answering_deep_json(
    deep_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["probe", "--target", f"{deep_url}/v1", "--only", "prompt-injection"]
    assert main([*argv, "--max-attacks", "1", "--retries", "0"]) == ExitCode.INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "not an OpenAI chat completion" in err and "internal error" not in err


def test_ml_endpoint_answering_deep_json(deep_url: str) -> None:
    np = pytest.importorskip("numpy")
    from aisec.probes.ml.http_target import HttpTarget

    with pytest.raises(ProbeError, match="not JSON"):
        HttpTarget(deep_url, [0, 1]).predict_proba(np.zeros((2, 3)))


def test_deep_manifest_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "m.safetensors"
    model.write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(DEEP)
    assert main(["scan", str(model), "--manifest", str(manifest)]) == ExitCode.INPUT_ERROR
    assert "manifest.json: invalid JSON: nested too deep" in capsys.readouterr().err
