"""Hostile file systems and files (issue 14, items 4-8): non-UTF-8 and newline names, forged
manifests, symlink loops, files truncated mid-scan, extraction budgets, nothing examined."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest
from pickles import call, g, s, wrap

from aisec.cli import main
from aisec.common.errors import InputError
from aisec.probes.artifacts import integrity
from aisec.probes.artifacts.interface import Limits, ScanContext
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

EVIL = wrap(call(g("os", "system"), s("x")))
BENIGN = wrap(b"}")
RAW = os.fsdecode(b"model-\xff\xfe.pkl")  # not UTF-8: a surrogate-escaped str in Python


def test_non_utf8_name_is_escaped_losslessly_in_json_and_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / RAW).write_bytes(EVIL)
    sarif = tmp_path / "out.sarif"
    code = main(["scan", str(tmp_path / RAW), "--json", "-", "--sarif", str(sarif)])
    assert code == 1  # the malicious verdict reaches CI
    report = json.loads(capsys.readouterr().out)
    shown = report["findings"][0]["location"]
    assert shown.endswith("model-\\xff\\xfe.pkl")
    sarif_log = json.loads(sarif.read_text(encoding="utf-8"))
    uri = sarif_log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "xff" in json.dumps(uri)


def test_manifest_round_trips_hostile_names_like_sha256sum(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    names = ["a\nb.pkl", "back\\slash.pkl", RAW, "plain.pkl"]
    for n in names:
        (models / n).write_bytes(BENIGN)
    manifest = tmp_path / "SHA256SUMS"
    assert main(["scan", str(models), "--write-manifest", str(manifest), "-q"]) == 0
    raw = manifest.read_bytes()
    assert raw.count(b"\n") == len(names)  # no name added a line
    assert b"\\" in raw and b"a\\nb.pkl" in raw and b"back\\\\slash.pkl" in raw
    loaded = integrity.load_manifest(manifest)
    assert {p.name for p in loaded} == set(names)
    assert main(["scan", str(models), "--manifest", str(manifest), "-q"]) == 0
    if shutil.which("sha256sum"):  # the format is sha256sum's own: it verifies it too
        check = subprocess.run(
            ["sha256sum", "-c", "--quiet", manifest.name], cwd=tmp_path, check=False
        )
        assert check.returncode == 0


def test_manifest_with_duplicate_entry_is_refused(tmp_path: Path) -> None:
    """The attack: a file whose name carries a newline and a fake hash line; last-wins
    resolution would let the forged hash override the real one."""
    model = tmp_path / "model.bin"
    model.write_bytes(BENIGN)
    real = "0" * 64
    forged = integrity.sha256_stream(model.open("rb"))
    manifest = tmp_path / "m.txt"
    manifest.write_text(f"{real}  model.bin\n{forged}  model.bin\n")
    with pytest.raises(InputError, match="duplicate"):
        integrity.load_manifest(manifest)
    manifest.write_text(json.dumps({"files": [{"path": "model.bin", "sha256": real}] * 2}))
    with pytest.raises(InputError, match="duplicate"):
        integrity.load_manifest(manifest)
    manifest.write_text(f'{{"model.bin": "{real}", "./model.bin": "{forged}"}}')
    with pytest.raises(InputError, match="duplicate"):
        integrity.load_manifest(manifest)
    manifest.write_text(f"\\{forged}  model\\q.bin\n")  # an escape sha256sum never writes
    with pytest.raises(InputError, match="sha256sum"):
        integrity.load_manifest(manifest)


def test_symlink_loop_is_one_files_error(tmp_path: Path) -> None:
    (tmp_path / "good.pkl").write_bytes(EVIL)
    os.symlink("loop", tmp_path / "loop")
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    result = scan_paths([tmp_path])
    by_name = {Path(f.path).name: f.verdict for f in result.files}
    assert by_name == {
        "a": FileVerdict.ERROR,
        "b": FileVerdict.ERROR,
        "loop": FileVerdict.ERROR,
        "good.pkl": FileVerdict.MALICIOUS,
    }
    assert scan_paths([tmp_path / "loop"]).files[0].verdict is FileVerdict.ERROR


class _Truncator:
    """A handler that truncates the file under the scanner, then reads the lost pages (what
    a concurrent writer does to a memory-mapped file)."""

    name = "truncator"

    def __init__(self, path: Path) -> None:
        self.path = path

    def detect(self, head: bytes, size: int) -> bool:
        return head.startswith(b"TRUNC")

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        os.truncate(self.path, 0)
        stream.seek(size - 1)
        stream.read(1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX guard")
def test_file_truncated_during_scan_is_an_error_not_a_crash(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:
        fh.write(b"TRUNC")
        fh.truncate(40 * 1024 * 1024)  # above the in-memory size: memory-mapped
    (tmp_path / "z-next.pkl").write_bytes(EVIL)
    result = scan_paths([tmp_path], handlers=[_Truncator(big), *default_handlers()])
    verdicts = {Path(f.path).name: f for f in result.files}
    assert verdicts["big.bin"].verdict is FileVerdict.ERROR
    assert "SIGBUS" in verdicts["big.bin"].findings[0].message
    assert verdicts["z-next.pkl"].verdict is FileVerdict.MALICIOUS  # the scan went on


def test_extraction_budget_is_relative_to_the_input_and_reported(tmp_path: Path) -> None:
    chunk = os.urandom(1000) + b"\0" * 39_000  # ~40x compressible: below the bomb ratio
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.raw", chunk * 100)  # 4 MB from ~100 kB
    limits = Limits(min_extract_bytes=1 << 20, max_extract_ratio=20)
    result = scan_paths([path], limits).files[0]
    hit = [f for f in result.findings if f.rule_id == "archive.limit-exceeded"]
    assert hit and "extraction budget" in hit[0].message
    assert result.verdict is FileVerdict.ERROR
    assert scan_paths([path]).files[0].verdict is not FileVerdict.ERROR  # default budget
    absolute = Limits(max_total_bytes=1 << 20, min_extract_bytes=1 << 30)
    assert any(
        f.rule_id == "archive.limit-exceeded"
        for f in scan_paths([path], absolute).files[0].findings
    )


def test_nothing_examined_exits_4(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"just text")
    os.mkfifo(tmp_path / "fifo")
    assert main(["scan", str(tmp_path), "-q"]) == 4
    assert main(["scan", str(tmp_path), "-q", "--fail-on", "not-scanned"]) == 1
    (tmp_path / "m.pkl").write_bytes(BENIGN)
    assert main(["scan", str(tmp_path), "-q"]) == 0


def test_model_named_file_nothing_parses_is_an_error_exit_3(tmp_path: Path) -> None:
    for name in ("w.safetensors", "m.gguf", "m.onnx"):
        (tmp_path / name).write_bytes(b"\x05" + b"\x00" * 7 + b"garbage!")
        assert main(["scan", str(tmp_path / name), "-q"]) == 3, name


def test_empty_files_are_never_clean(tmp_path: Path) -> None:
    """Nothing assessed is never a pass: an empty file is not-scanned (exit 4), and one named
    like a model file is malformed (error, exit 3), as a loader would fail on it."""
    from aisec.cli import main

    plain = tmp_path / "notes.txt"
    plain.write_bytes(b"")
    model = tmp_path / "model.pkl"
    model.write_bytes(b"")
    assert main(["scan", str(plain)]) == 4
    assert main(["scan", str(model)]) == 3
