"""A lazily compiled pattern answers exactly as `re.compile` would, compiles once, on first use."""

from __future__ import annotations

import re

import pytest

from aisec.common.lazyre import lazy_compile

CASES = [
    (r"(\w+)@(\w+)\.com", 0, "mail bob@example.com and ann@test.com"),
    (rb"(?:G.{8})+", re.DOTALL, b"xG\n\n\n\n\n\n\n\nG12345678y"),
    (r"^a.c$", re.M | re.I, "abc\nAXC\nabd"),
]


@pytest.mark.parametrize(("pattern", "flags", "text"), CASES)
def test_behaves_like_a_compiled_pattern(pattern: str, flags: int, text: str) -> None:
    lazy, real = lazy_compile(pattern, flags), re.compile(pattern, flags)
    for name in ("search", "findall", "split"):
        left, right = getattr(lazy, name)(text), getattr(real, name)(text)
        if name == "search":
            left, right = left and left.group(0), right and right.group(0)
        assert left == right, name
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    spans = [(m.span() if m else None) for m in (lazy.match(text, 1), real.match(text, 1))]
    assert spans[0] == spans[1]
    assert (lazy.pattern, lazy.flags, lazy.groups) == (real.pattern, real.flags, real.groups)


def test_compiles_on_first_use_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real_compile = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: calls.append(a) or real_compile(*a))
    pattern = lazy_compile(r"a+")
    assert calls == []  # importing a module that defines it costs nothing
    assert pattern.sub("-", "caab") == "c-b"
    assert pattern.fullmatch("aaa") and not pattern.fullmatch("ab")
    assert len(calls) == 1  # bound after the first call: no second compile, no lookup detour


def test_a_bad_pattern_fails_when_used() -> None:
    pattern = lazy_compile(r"(unclosed")
    with pytest.raises(re.error):
        pattern.search("x")
