"""Small helpers shared by the scanner tests."""

from __future__ import annotations

from pathlib import Path

from aisec.probes.artifacts.interface import Limits
from aisec.probes.artifacts.result import FileResult
from aisec.probes.artifacts.service import scan_paths


def scan_bytes(
    tmp_path: Path, data: bytes, name: str = "sample.bin", **limits: object
) -> FileResult:
    path = tmp_path / name
    path.write_bytes(data)
    return scan_paths([path], Limits(**limits)).files[0]  # type: ignore[arg-type]


def rules(result: FileResult) -> set[str]:
    return {f.rule_id for f in result.findings if f.verdict != "pass"}
