"""Engine and registry: an explicit, ordered handler list; routing by content; crashes and
aborts of a handler become recorded findings, never a dead run or a clean verdict."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytest

from aisec.probes.artifacts.blob import Blob
from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.interface import FormatHandler, Limits, ScanAbort, ScanContext
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.artifacts.result import FileVerdict, verdict_of
from aisec.probes.artifacts.service import scan_paths


def test_registry_is_explicit_and_complete() -> None:
    handlers = default_handlers()
    names = [h.name for h in handlers]
    assert len(names) == len(set(names))
    assert {
        "zip",
        "tar",
        "7z",
        "compressed",
        "numpy",
        "pickle",
        "gguf",
        "safetensors",
        "hdf5",
        "keras-config",
        "onnx",
        "tf-savedmodel",
    } <= set(names)
    for h in handlers:
        assert callable(h.detect) and callable(h.scan)
    # strong magic numbers before the loose detectors
    assert names.index("zip") < names.index("pickle") < names.index("onnx")


class Boom:
    name = "boom"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def detect(self, head: bytes, size: int) -> bool:
        return head.startswith(b"BOOM")

    def scan(self, stream: BinaryIO, size: int, ctx: ScanContext) -> None:
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "verdict"),
    [
        (ScanAbort("bad structure"), FileVerdict.ERROR),
        (ValueError("bug"), FileVerdict.ERROR),
        (RecursionError(), FileVerdict.SUSPICIOUS),
        (TimeoutError(), FileVerdict.ERROR),
    ],
)
def test_handler_failures_are_findings(exc: Exception, verdict: FileVerdict) -> None:
    handler: FormatHandler = Boom(exc)
    engine = Engine([handler], Limits())
    findings = engine.scan_blob(Blob(b"BOOM!", 0, 5), "x", None)
    assert verdict_of(findings) is verdict


def test_no_findings_is_never_clean() -> None:
    assert verdict_of([]) is FileVerdict.NOT_SCANNED


def test_no_hash_mode(tmp_path: Path) -> None:
    (tmp_path / "a.pkl").write_bytes(b"\x80\x02}.")
    result = scan_paths([tmp_path], hash_files=False)
    assert result.files[0].sha256 is None
    assert result.verdict is FileVerdict.CLEAN


def test_special_files_are_not_scanned(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = scan_paths([tmp_path])
    assert result.files[0].verdict is FileVerdict.NOT_SCANNED
