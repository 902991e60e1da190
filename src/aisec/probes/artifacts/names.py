"""One escaping of file names and scanned text for every output (JSON, SARIF, manifests, the
console), so a hostile name can neither break serialisation nor forge a line.

A POSIX file name is bytes; Python carries undecodable bytes as lone surrogates, which no JSON
or SARIF writer accepts. `escape_path` maps a name to printable text without loss: undecodable
bytes become `\\xNN`, control characters `\\n`, `\\r`, `\\t` or `\\xNN`, and the backslash
itself `\\\\` (on POSIX, where a backslash is an ordinary name character), so distinct names
stay distinct and `unescape_path` gives the bytes back.
"""

from __future__ import annotations

import os
import re
from typing import Any

from aisec.common.lazyre import lazy_compile

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPE_BACKSLASH = os.sep == "/"
_UNESCAPE = lazy_compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[nrt\\])")


def _char(c: str, backslash: bool) -> str:
    o = ord(c)
    if c == "\\":
        return "\\\\" if backslash else c
    if 0xDC80 <= o <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    if 0xD800 <= o <= 0xDFFF:  # any other lone surrogate (surrogatepass)
        return f"\\u{o:04x}"
    if c in _NAMED:
        return _NAMED[c]
    if o < 0x20 or o == 0x7F:
        return f"\\x{o:02x}"
    return c


_NEEDS = lazy_compile("[\\\\\x00-\x1f\x7f\ud800-\udfff]")


def needs_escape(text: str) -> bool:
    return _NEEDS.search(text) is not None


def escape_path(text: str) -> str:
    """Lossless printable form of a path string (see the module note)."""
    if not needs_escape(text):
        return text
    return "".join(_char(c, _ESCAPE_BACKSLASH) for c in text)


def unescape_path(text: str) -> str:
    """Inverse of `escape_path` (undecodable bytes come back as surrogate escapes)."""

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x":
            n = int(code[1:], 16)
            return chr(0xDC00 + n) if n >= 0x80 else chr(n)
        if code[0] == "u":
            return chr(int(code[1:], 16))
        return {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}[code]

    if not _ESCAPE_BACKSLASH and "\\x" not in text and "\\u" not in text:
        return text
    return _UNESCAPE.sub(one, text)


def safe_text(text: str) -> str:
    """Scanned text (member names, callables, messages) without lone surrogates or control
    characters; backslashes are kept as they are (this is for display, not round trips)."""
    if not needs_escape(text):
        return text
    return "".join(_char(c, False) if c != "\\" else c for c in text)


def safe_value(value: Any) -> Any:
    """`safe_text` applied to every string inside JSON-like details (tuples become lists); a
    dict or list that needs no change is returned as it is, so the common case copies nothing."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        out = {}
        changed = False
        for k, v in value.items():
            key = safe_text(str(k))
            item = safe_value(v)
            changed = changed or key is not k or item is not v
            out[key] = item
        return out if changed else value
    if isinstance(value, list | tuple):
        items = [safe_value(v) for v in value]
        if type(value) is list and all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    return value
