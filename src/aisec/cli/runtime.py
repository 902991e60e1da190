"""Process-wide state of one CLI run, kept free of Typer so the fast path of `aisec scan`
(`aisec.cli.scan_fast`) shares it: the garbage-collector pause during start-up and the
`--verbose` flag the error handler reads."""

from __future__ import annotations

import gc
import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

state: dict[str, bool] = {"verbose": False}

_gc = {"paused": False, "frozen": False}


@contextmanager
def startup_gc(*, keep_frozen: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector until a command's module is imported: collections
    during imports find no garbage yet cost ~5% of `aisec threats`. Then everything allocated
    so far (modules, classes, schemas) is frozen (`gc.freeze`), so the command's collections
    and the one at interpreter exit skip it. `keep_frozen=False` (main() called in-process,
    maybe many times) unfreezes at the end, leaving the collector as the caller had it.
    """
    if not gc.isenabled() or _gc["paused"]:
        yield
        return
    gc.disable()
    _gc["paused"] = True
    try:
        yield
    finally:
        if keep_frozen:
            resume_gc()  # no command ran (help, usage error): start-up objects only
        elif _gc["frozen"]:
            gc.unfreeze()
        _gc["frozen"] = False
        if _gc["paused"]:
            _gc["paused"] = False
            gc.enable()


def resume_gc() -> None:
    """Start-up is over (the command module is imported): freeze what exists, collect again."""
    if _gc["paused"]:
        _gc["paused"] = False
        gc.freeze()
        _gc["frozen"] = True
        gc.enable()


class _Deferred(types.ModuleType):
    """Stands in `sys.modules` for a module until one of its attributes is used. The import
    system itself only reads `__spec__` (present here), so `import inspect` does not load it;
    the first other attribute imports the real module and copies its namespace in, so holders
    of this stand-in and later importers see the same module."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def defer_imports(names: tuple[str, ...]) -> None:
    """Make the standard-library modules `names` load on first attribute use. `dataclasses`
    imports `inspect` (and with it `ast`, `dis`, `tokenize`) but needs it only for classes
    without a docstring; for `aisec scan` on a small file that import is a sixth of the whole
    run (callgrind). A module already imported, or one that cannot be found, is left alone."""
    from importlib.machinery import PathFinder  # importlib.util would cost more than it saves

    for name in names:
        if name in sys.modules:
            continue
        spec = PathFinder.find_spec(name)
        if spec is None:
            continue
        stand_in = _Deferred(name)
        stand_in.__spec__ = spec
        sys.modules[name] = stand_in
