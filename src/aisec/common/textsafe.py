"""One escaping path for text that came from outside (YAML, evidence, file names, targets).

Text a user or an attacker controls reaches terminals, CI logs and Markdown reports. Three
things must never pass through raw: terminal control sequences (ESC [ ... rewrites a CI log or a
terminal title), bidirectional overrides (text that reads differently from what it is), and
Rich markup / emoji codes (`[red]`, `:100:` in a file name garble the locations CI parsers read).
Every CLI module prints outside text through `markup_safe` (or a `rich.text.Text`), and the
Markdown report runs its values through `terminal_safe` too.
"""

from __future__ import annotations

from aisec.common.lazyre import lazy_compile

# Bidi embedding/override/isolate controls (Trojan Source) and other invisible format chars
# that change how text reads; zero-width joiners used in emoji are left alone.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# C0 except tab/newline, DEL, C1, bidi controls and lone surrogates (category Cc/Cs).
_UNSAFE = lazy_compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_UNSAFE_ONE_LINE = lazy_compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")


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
    pattern = _UNSAFE if keep_newlines else _UNSAFE_ONE_LINE
    if pattern.search(value) is None:  # the common case: one regex scan, no copy
        return value
    return pattern.sub(lambda m: _visible(m.group()), value)


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
