"""One escaping path: control sequences, bidi overrides and markup never reach a terminal raw."""

from __future__ import annotations

from aisec.common.errors import InputError
from aisec.common.textsafe import markup_safe, one_line, terminal_safe


def test_escape_sequences_become_visible() -> None:
    assert terminal_safe("a\x1b[31mred\x07") == "a\\x1b[31mred\\x07"
    assert terminal_safe("line1\nline2\t.") == "line1\nline2\t."
    assert one_line("evil\nname") == "evil\\x0aname"
    assert terminal_safe("\u202eabc") == "\\u202eabc"
    assert terminal_safe("\x9b2J") == "\\x9b2J"  # C1 CSI
    assert terminal_safe("café ✓ 日本") == "café ✓ 日本"


def test_markup_is_inert() -> None:
    assert markup_safe("[red]x[/red]") == "\\[red]x\\[/red]"
    assert "\x1b" not in markup_safe("\x1b]0;title\x07")


def test_error_locations_are_one_line() -> None:
    err = InputError("bad", source="a\nb.yaml\x1b[2J", line=3, field="name")
    assert str(err) == "a\\x0ab.yaml\\x1b[2J:3: name: bad"
