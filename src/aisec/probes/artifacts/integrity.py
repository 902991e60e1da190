"""File integrity: streamed SHA-256, and manifests of expected hashes (JSON or `sha256sum`
lines) that a scan verifies or writes. A mismatch or a missing file is a `fail` finding."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from aisec.common.errors import InputError
from aisec.common.fileio import atomic_write_text
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.finding import Finding, Severity, Verdict

_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
MAX_MANIFEST = 64 * 1024 * 1024


def sha256_stream(fh: BinaryIO) -> str:
    fh.seek(0)
    return hashlib.file_digest(fh, "sha256").hexdigest()  # type: ignore[arg-type]


def load_manifest(path: Path) -> dict[Path, str]:
    """Expected hashes keyed by resolved path (relative entries are relative to the manifest)."""
    try:
        if path.stat().st_size > MAX_MANIFEST:
            raise InputError("manifest too large", source=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read manifest: {exc.strerror}", source=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("manifest is not UTF-8 text", source=str(path)) from None
    base = path.resolve().parent
    entries: dict[str, str] = {}
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}", source=str(path), line=exc.lineno
            ) from None
        except RecursionError:
            raise InputError("invalid JSON: nested too deep", source=str(path)) from None
        if isinstance(data, dict) and isinstance(data.get("files"), dict | list):
            data = data["files"]
        if isinstance(data, list):
            pairs = [(d.get("path"), d.get("sha256")) for d in data if isinstance(d, dict)]
        elif isinstance(data, dict):
            pairs = list(data.items())
        else:
            raise InputError("manifest must map paths to SHA-256 hashes", source=str(path))
        for p, h in pairs:
            if (
                not isinstance(p, str)
                or not isinstance(h, str)
                or not re.fullmatch(r"[0-9a-fA-F]{64}", h)
            ):
                raise InputError(f"bad entry {p!r}", source=str(path), field="sha256")
            entries[p] = h.lower()
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            m = _LINE.match(line)
            if not m:
                raise InputError("expected '<sha256>  <path>'", source=str(path), line=n)
            entries[m.group(2)] = m.group(1).lower()
    return {(base / p).resolve(): h for p, h in entries.items()}


def verify(
    expected: dict[Path, str], actual: dict[Path, str], shown: dict[Path, str] | None = None
) -> list[Finding]:
    """Findings for every manifest entry and every scanned file the manifest does not list.
    `shown` maps resolved paths to the names the scan reported them under."""
    out: list[Finding] = []
    names = shown or {}

    def name(p: Path) -> str:
        return names.get(p, str(p))

    for path, want in sorted(expected.items()):
        got = actual.get(path)
        if got is None:
            if path.is_file():
                continue  # listed but outside the scanned paths: not this run's business
            out.append(
                finding(
                    Rule.HASH_MISSING,
                    Verdict.FAIL,
                    Severity.HIGH,
                    str(path),
                    "file listed in the manifest is missing",
                    details={"expected": want},
                )
            )
        elif got != want:
            out.append(
                finding(
                    Rule.HASH_MISMATCH,
                    Verdict.FAIL,
                    Severity.HIGH,
                    name(path),
                    "SHA-256 differs from the manifest: the file was changed",
                    sha256=got,
                    details={"expected": want},
                )
            )
        else:
            out.append(
                finding(
                    Rule.HASH_MATCH,
                    Verdict.PASS,
                    Severity.INFO,
                    name(path),
                    "SHA-256 matches the manifest",
                    sha256=got,
                )
            )
    for path, got in sorted(actual.items()):
        if path not in expected:
            out.append(
                finding(
                    Rule.HASH_UNLISTED,
                    Verdict.FAIL,
                    Severity.MEDIUM,
                    name(path),
                    "file is not listed in the manifest",
                    sha256=got,
                )
            )
    return out


def write_manifest(path: Path, hashes: Iterable[tuple[Path, str]]) -> None:
    """`sha256sum`-style lines, paths relative to the manifest's folder where possible."""
    base = path.resolve().parent
    lines = []
    for p, h in sorted(hashes):
        try:
            shown = p.resolve().relative_to(base).as_posix()
        except ValueError:
            shown = str(p.resolve())
        lines.append(f"{h}  {shown}\n")
    atomic_write_text(path, "".join(lines))
