"""One escaping path for text that came from outside (YAML, evidence, file names, targets).

Text a user or an attacker controls reaches terminals, CI logs and Markdown reports. Three
things must never pass through raw: terminal control sequences (ESC [ ... rewrites a CI log or a
terminal title), bidirectional overrides (text that reads differently from what it is), and
Rich markup / emoji codes (`[red]`, `:100:` in a file name garble the locations CI parsers read).
Every CLI module prints outside text through `markup_safe` (or a `rich.text.Text`), and the
Markdown report runs its values through `terminal_safe` too.
"""

from __future__ import annotations

import unicodedata

# Bidi embedding/override/isolate controls (Trojan Source) and other invisible format chars
# that change how text reads; zero-width joiners used in emoji are left alone.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def terminal_safe(text: object, *, keep_newlines: bool = True) -> str:
    """`text` with control characters (C0, DEL, C1, bidi overrides) shown as `\\xNN` escapes.

    Newlines and tabs are kept when `keep_newlines` (multi-line table cells); one-line contexts
    (error locations, file names) pass False so a newline in a file name cannot fake a line.
    """
    value = str(text)
    out: list[str] = []
    for ch in value:
        if ch in "\n\t" and keep_newlines:
            out.append(ch)
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(_visible(ch))
        else:
            out.append(ch)
    return "".join(out)


def markup_safe(text: object, *, keep_newlines: bool = True) -> str:
    """Text to interpolate into a Rich markup string: controls escaped, `[` and `:emoji:` inert.

    Emoji codes (`:100:`) are not markup; consoles made by `aisec.cli.outputs.make_console`
    switch them off, which is why every command uses that factory.
    """
    from rich.markup import escape

    return escape(terminal_safe(text, keep_newlines=keep_newlines))


def one_line(text: object) -> str:
    """A file name or location on one line with every control character visible."""
    return terminal_safe(text, keep_newlines=False)
