"""The verifiable record of an assessment: a manifest of its inputs with SHA-256, and the check.

Every report lists the system, assessment, evidence, overlay and trusted-key files it was made
from. `aisec verify REPORT.json [--inputs DIR]` hashes them again: by the path recorded (relative
to where the run started) or, with --inputs, by file name inside DIR, so an auditor can check a
folder of inputs they were handed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from aisec.analysis.model import InputFile
from aisec.common.errors import InputError

MAX_REPORT_BYTES = 512 * 1024 * 1024


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def input_file(kind: str, path: Path, sha256: str | None = None) -> InputFile:
    """Manifest entry for one input (hashing it unless the caller already has the hash)."""
    try:
        digest, size = _sha256(path)
    except OSError as exc:
        raise InputError(f"cannot read input: {exc.strerror}", source=str(path)) from None
    if sha256 is not None and sha256 != digest:
        raise InputError("input changed while it was being assessed", source=str(path))
    return InputFile(kind=kind, path=str(path), name=path.name, sha256=digest, size=size)


@dataclass(frozen=True)
class InputCheck:
    entry: InputFile
    checked: Path
    state: str  # match | mismatch | missing

    @property
    def ok(self) -> bool:
        return self.state == "match"


def read_manifest(report: Path) -> list[InputFile]:
    try:
        if report.stat().st_size > MAX_REPORT_BYTES:
            raise InputError("report too large", source=str(report))
        data = json.loads(report.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read report: {exc.strerror}", source=str(report)) from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"not a JSON report: {exc}", source=str(report)) from None
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), list):
        raise InputError(
            "no input manifest in this report",
            source=str(report),
            hint="pass the JSON report written by 'aisec assess' (format aisec-result/2)",
        )
    try:
        return [InputFile.model_validate(entry) for entry in data["inputs"]]
    except ValueError as exc:
        raise InputError(f"malformed input manifest: {exc}", source=str(report)) from None


def verify_inputs(report: Path, inputs_dir: Path | None = None) -> list[InputCheck]:
    checks = []
    for entry in read_manifest(report):
        path = (inputs_dir / entry.name) if inputs_dir is not None else Path(entry.path)
        if not path.is_file():
            checks.append(InputCheck(entry, path, "missing"))
            continue
        digest, _ = _sha256(path)
        checks.append(InputCheck(entry, path, "match" if digest == entry.sha256 else "mismatch"))
    return checks
