"""File integrity: streamed SHA-256, and manifests of expected hashes (JSON or `sha256sum`
lines) that a scan verifies or writes. A mismatch or a missing file is a `fail` finding."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from aisec.common.errors import InputError
from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.names import escape_path
from aisec.probes.artifacts.rules import Rule, finding
from aisec.probes.record import Finding, Severity, Verdict

_LINE = lazy_compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
MAX_MANIFEST = 64 * 1024 * 1024


def sha256_stream(fh: BinaryIO) -> str:
    fh.seek(0)
    return hashlib.file_digest(fh, "sha256").hexdigest()  # type: ignore[arg-type]


def _json_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(ValueError):
    pass


def _sha256sum_line(line: str) -> tuple[str, str] | None:
    """(hash, name) of one `sha256sum` line, undoing its escaping: a line that starts with a
    backslash has `\\`, `\n` and `\r` escapes in the name."""
    escaped = line.startswith("\\")
    m = _LINE.match(line[1:] if escaped else line)
    if not m:
        return None
    name = m.group(2)
    if escaped:
        if not _SUM_ESCAPED.fullmatch(name):
            return None
        name = re.sub(r"\\(.)", lambda e: _SUM_UNESCAPE[e.group(1)], name)
    return m.group(1), name


_SUM_ESCAPED = lazy_compile(r"(?:[^\\]|\\[\\nr])*")
_SUM_UNESCAPE = {"\\": "\\", "n": "\n", "r": "\r"}


def load_manifest(path: Path) -> dict[Path, str]:
    """Expected hashes keyed by resolved path (relative entries are relative to the manifest).
    Duplicate entries (also two names for one file) and malformed lines are refused: with
    last-wins, a forged line could override the real hash of a tampered file."""
    try:
        if path.stat().st_size > MAX_MANIFEST:
            raise InputError("manifest too large", source=str(path))
        # names are bytes on disk: undecodable ones round-trip as surrogate escapes
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise InputError(f"cannot read manifest: {exc.strerror}", source=str(path)) from None
    base = path.resolve().parent
    entries: list[tuple[str, str, int | None]] = []
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs)
        except _Duplicate as exc:
            raise InputError(
                f"duplicate entry {escape_path(str(exc))!r}", source=str(path)
            ) from None
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
            if len(pairs) != len(data):
                raise InputError("every manifest entry must be an object", source=str(path))
        elif isinstance(data, dict):
            pairs = list(data.items())
        else:
            raise InputError("manifest must map paths to SHA-256 hashes", source=str(path))
        for p, h in pairs:
            if (
                not isinstance(p, str)
                or not p
                or not isinstance(h, str)
                or not re.fullmatch(r"[0-9a-fA-F]{64}", h)
            ):
                shown = escape_path(p) if isinstance(p, str) else p
                raise InputError(f"bad entry {shown!r}", source=str(path), field="sha256")
            entries.append((p, h.lower(), None))
    else:
        for n, line in enumerate(text.split("\n"), 1):
            line = line.removesuffix("\r") if not line.startswith("\\") else line
            if not line.strip() or line.startswith("#"):
                continue
            parsed = _sha256sum_line(line)
            if parsed is None:
                raise InputError(
                    "expected '<sha256>  <path>' (sha256sum format)", source=str(path), line=n
                )
            entries.append((parsed[1], parsed[0].lower(), n))
    out: dict[Path, str] = {}
    for name, digest, line_no in entries:
        key = (base / name).resolve()
        if key in out:
            raise InputError(
                f"duplicate entry for {escape_path(str(key))}: a manifest lists each file once",
                source=str(path),
                line=line_no,
            )
        out[key] = digest
    return out


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


def manifest_line(digest: str, name: str) -> bytes:
    """One `sha256sum` line, escaped as sha256sum escapes: a name with a backslash, newline or
    carriage return gets a leading backslash and `\\\\`, `\\n`, `\\r` escapes, so no name
    can add a line; other bytes are written as they are on disk."""
    if any(c in name for c in "\\\n\r"):
        name = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return b"\\" + f"{digest}  ".encode() + os.fsencode(name) + b"\n"
    return f"{digest}  ".encode() + os.fsencode(name) + b"\n"


def write_manifest(path: Path, hashes: Iterable[tuple[Path, str]]) -> None:
    """`sha256sum`-style lines, paths relative to the manifest's folder where possible."""
    base = path.resolve().parent
    lines = []
    for p, h in sorted(hashes):
        try:
            shown = p.resolve().relative_to(base).as_posix()
        except ValueError:
            shown = str(p.resolve())
        lines.append(manifest_line(h, shown))
    from aisec.common.fileio import atomic_write_bytes  # tempfile & co. only to write

    atomic_write_bytes(path, b"".join(lines))
