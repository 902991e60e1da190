"""Reading user-supplied files safely: regular files only, bounded size, strict JSON.

A size check on `stat()` means nothing for `/dev/zero` (size 0, endless) or a FIFO (opening it
blocks until a writer appears). So every input is opened non-blocking, checked with `fstat` on
the descriptor actually read (no check-then-open race), refused unless it is a regular file, and
read with a hard byte cap. JSON from elsewhere (evidence files) is parsed strictly: duplicate
keys, NaN/Infinity, absurd integers and lone surrogates are input errors with their location,
because they otherwise fail much later while a report is rendered.
"""

from __future__ import annotations

import json
import math
import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

from aisec.common.errors import InputError

MAX_JSON_INT_DIGITS = 40  # beyond any count, size or epoch; 5,000 digits broke rendering
MAX_JSON_DEPTH = 64


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def require_regular_file(path: Path, *, what: str = "input") -> os.stat_result:
    """Refuse anything but a regular file (symlinks to one are fine) before it is opened."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", source=str(path)) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{what} is {_kind(info.st_mode)}; only regular files are read",
            source=str(path),
        )
    return info


def read_input_bytes(path: Path, *, max_bytes: int, what: str = "input") -> bytes:
    """Read a regular file of at most `max_bytes`; devices, FIFOs and sockets are refused."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", source=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"{what} is {_kind(info.st_mode)}; only regular files are read",
                source=str(path),
            )
        if info.st_size > max_bytes:
            raise InputError(f"{what} larger than {max_bytes} bytes", source=str(path))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # the file grew while we read it
                raise InputError(f"{what} larger than {max_bytes} bytes", source=str(path))
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", source=str(path)) from None
    finally:
        os.close(fd)


def read_input_text(path: Path, *, max_bytes: int, what: str = "input") -> str:
    """`read_input_bytes` decoded as UTF-8 (a BOM is tolerated)."""
    data = read_input_bytes(path, max_bytes=max_bytes, what=what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{what} is not UTF-8 text", source=str(path), line=line) from None


def _loc(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def clean_text(value: str, *, source: str, where: tuple[str | int, ...] = ()) -> str:
    """NFC-normalised text; a lone surrogate (never valid Unicode text) is an input error."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"text contains a lone surrogate (U+{ord(value[exc.start]):04X}), not valid Unicode",
            source=source,
            field=_loc(where),
        ) from None
    return unicodedata.normalize("NFC", value)


def clean_tree(data: Any, *, source: str, where: tuple[str | int, ...] = ()) -> Any:
    """Validate and normalise every string (keys too) in parsed JSON/YAML data."""
    if len(where) > MAX_JSON_DEPTH:
        raise InputError(f"nested deeper than {MAX_JSON_DEPTH} levels", source=source)
    if isinstance(data, str):
        return clean_text(data, source=source, where=where)
    if isinstance(data, dict):
        return {
            clean_text(k, source=source, where=where) if isinstance(k, str) else k: clean_tree(
                v, source=source, where=(*where, str(k))
            )
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [clean_tree(v, source=source, where=(*where, i)) for i, v in enumerate(data)]
    if isinstance(data, float) and not math.isfinite(data):
        raise InputError("number out of range (infinite)", source=source, field=_loc(where))
    return data


class _StrictDecoding:
    """Hooks for `json.loads` that turn the tolerated-but-hostile cases into InputError."""

    def __init__(self, source: str) -> None:
        self.source = source

    def pairs(self, items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise InputError(
                    f"duplicate key {key!r}",
                    source=self.source,
                    hint="each key may appear once in an object",
                )
            out[key] = value
        return out

    def integer(self, text: str) -> int:
        digits = len(text.lstrip("-"))
        if digits > MAX_JSON_INT_DIGITS:
            raise InputError(
                f"integer with {digits} digits (at most {MAX_JSON_INT_DIGITS} accepted)",
                source=self.source,
            )
        return int(text)

    def constant(self, name: str) -> Any:
        raise InputError(f"{name} is not valid JSON", source=self.source)


def parse_json_strict(raw: bytes | str, *, source: str) -> Any:
    """Parse JSON refusing duplicate keys, NaN/Infinity, huge integers, deep nesting and lone
    surrogates; every string comes back NFC-normalised. Errors name the source (and line or
    field)."""
    hooks = _StrictDecoding(source)
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        data = json.loads(
            text,
            object_pairs_hook=hooks.pairs,
            parse_int=hooks.integer,
            parse_constant=hooks.constant,
        )
    except RecursionError:
        raise InputError("JSON nested too deeply", source=source) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source=source, line=exc.lineno) from None
    except ValueError as exc:  # float overflow and similar conversions
        raise InputError(f"not valid JSON: {exc}", source=source) from None
    return clean_tree(data, source=source)


def load_json_file(path: Path, *, max_bytes: int, what: str = "JSON file") -> Any:
    """Read (regular files only, bounded) and strictly parse one JSON file."""
    return parse_json_strict(
        read_input_bytes(path, max_bytes=max_bytes, what=what), source=str(path)
    )
