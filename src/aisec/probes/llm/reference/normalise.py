"""How the reference "model" reads text: the views an attacker's obfuscation is undone in.

A capable LLM understands base64, leetspeak, invisible Unicode tag characters and look-alike
letters; the rule-based reference target imitates that by reading every input in several
decoded views. The vulnerable mode acts on directives found in any view; the hardened mode uses
the same views to recognise disguised attacks.
"""

from __future__ import annotations

import base64
import binascii
import re

_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_DELEET = str.maketrans({"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t"})
_FOLD = str.maketrans(
    {
        "\u0430": "a",
        "\u0441": "c",
        "\u0435": "e",
        "\u043e": "o",
        "\u0440": "p",
        "\u0445": "x",
        "\u0443": "y",
        "\u0456": "i",
        "\u0410": "A",
        "\u0412": "B",
        "\u0415": "E",
        "\u041a": "K",
        "\u041c": "M",
        "\u041d": "H",
        "\u041e": "O",
        "\u0420": "P",
        "\u0421": "C",
        "\u0422": "T",
        "\u0425": "X",
    }
)


def decode_tags(text: str) -> str:
    """Unicode tag characters (U+E0020..U+E007E) mirror ASCII and render invisibly."""
    return "".join(chr(ord(ch) - 0xE0000) if 0xE0020 <= ord(ch) <= 0xE007E else ch for ch in text)


def has_tags(text: str) -> bool:
    return any(0xE0000 <= ord(ch) <= 0xE007F for ch in text)


def decode_base64_runs(text: str) -> str:
    out = []
    for run in _B64.findall(text):
        try:
            decoded = base64.b64decode(run, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if decoded.isprintable() or "\n" in decoded:
            out.append(decoded)
    return "\n".join(out)


def views(text: str) -> list[str]:
    """The text as written plus every decoded reading of it (deduplicated, in order)."""
    candidates = [text, decode_tags(text), text.translate(_FOLD)]
    decoded = decode_base64_runs(candidates[1])
    if decoded:
        candidates.append(decoded)
    candidates.append(candidates[1].translate(_FOLD).translate(_DELEET))
    seen: list[str] = []
    for candidate in candidates:
        if candidate and candidate not in seen:
            seen.append(candidate)
    return seen
