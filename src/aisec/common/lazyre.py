"""Regular expressions compiled on first use instead of at import.

A module-level `re.compile` runs in every process that imports the module, whether or not the
pattern is ever used: the artifact scanner's 30-odd patterns cost about 6% of a whole
`aisec scan small.pkl` (callgrind), most of them for formats the file is not. `lazy_compile`
returns an object that compiles on the first method call and then binds the compiled
pattern's methods on itself, so later calls cost the same as on a compiled pattern. Use it
through its methods (`.match`, `.search`, ...); the `re` module's functions want a real pattern.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")


class _LazyPattern:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source: tuple[Any, int] = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only reached before the first compile
        compiled = re.compile(*self._source)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        self.pattern = compiled.pattern
        self.flags = compiled.flags
        self.groups = compiled.groups
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]})"


def lazy_compile(pattern: AnyStr, flags: int | re.RegexFlag = 0) -> re.Pattern[AnyStr]:
    """Like `re.compile`, compiled when first used (typed as a pattern: it behaves as one)."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, int(flags)))
