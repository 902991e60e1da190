"""Call-site resolution for the pickle walker: what each import and call would reach.

Imports are graded by the policy (with the Python 2 name mapping the unpickler applies to
protocols 0-2). Calls through `getattr` or `__import__` are followed so that the attribute they
reach is graded too, and a call of anything that is not an imported callable is reported.
"""

from __future__ import annotations

import _compat_pickle
from typing import TYPE_CHECKING, Any

from aisec.probes.artifacts.pickle import joblib_arrays
from aisec.probes.artifacts.pickle.policy import classify
from aisec.probes.artifacts.pickle.state import Issue
from aisec.probes.artifacts.pickle.values import Global, Obj

if TYPE_CHECKING:
    from aisec.probes.artifacts.pickle.state import WalkState

_GETATTR = frozenset({"builtins.getattr", "__builtin__.getattr", "operator.attrgetter"})
_IMPORTERS = frozenset({"builtins.__import__", "__builtin__.__import__", "importlib.import_module"})
_cache: dict[tuple[str, str, bool], Global] = {}


def _mapped(module: str, name: str) -> tuple[str, str]:
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def _global(module: str, name: str, legacy: bool) -> Global:
    key = (module, name, legacy)
    g = _cache.get(key)
    if g is None:
        # Protocols 0-2 go through the Python 2 name mapping: what is imported is the mapped name.
        status = classify(*_mapped(module, name)) if legacy else classify(module, name)
        q = f"{module}.{name}"
        kind = Global.PLAIN
        if q in _GETATTR or q in _IMPORTERS:
            kind = Global.RESOLVER
        elif q in joblib_arrays.WRAPPERS:
            kind = Global.ARRAY_WRAPPER
        g = Global(module, name, status, kind)
        if len(_cache) < 100_000:
            _cache[key] = g
    return g


def import_global(module: str, name: str, protocol: int, offset: int, st: WalkState) -> Global:
    """Grade and record the import of `module`.`name`; return its symbolic value."""
    g = _global(module, name, protocol < 3)
    q = g.qualname
    if q not in st.imports:
        st.imports[q] = (g.status, offset)
    return g


def _module_of(value: Any) -> str | None:
    """The module an expression evaluates to, if it is an import call with a literal name."""
    if type(value) is Obj and type(value.func) is Global and value.func.qualname in _IMPORTERS:
        args = value.args
        if type(args) is tuple and args and type(args[0]) is str:
            return str(args[0])
    return None


def call_result(func: Any, args: Any, offset: int, st: WalkState) -> Any:
    """Symbolic result of calling `func(*args)`; follows getattr-style indirection."""
    if type(func) is Global:
        if func.qualname in _GETATTR and type(args) is tuple and len(args) >= 2:
            attr = args[1] if func.name == "getattr" else args[0]
            target = args[0] if func.name == "getattr" else None
            if type(attr) is str:
                if type(target) is Global:
                    return import_global(target.module, f"{target.name}.{attr}", 4, offset, st)
                module = _module_of(target)
                if module is not None:
                    return import_global(module, attr, 4, offset, st)
        result = Obj(func, args)
        module = _module_of(result)
        if module is not None:
            st.imports.setdefault(f"{module}.*", (classify(module, "*"), offset))
        return result
    st.issues.append(
        Issue(
            "pickle.indirect-call",
            f"calls {func!r}, a value that is not an imported callable",
            offset,
        )
    )
    return Obj(func, args)


def resolve_build(target: Any, state: Any, offset: int, st: WalkState) -> None:
    """BUILD: set state on an object; on a class or function it rewrites code-bearing attrs."""
    if type(target) is Obj:
        target.state = state
    elif type(target) is Global:
        st.issues.append(
            Issue(
                "pickle.build-on-callable",
                f"BUILD sets attributes on {target.qualname} itself",
                offset,
                "high",
            )
        )
