"""What PyTorch's weights-only unpickler would do with a pickle, beyond which globals it names.

`torch.load(weights_only=True)` applies container opcodes to whatever object is on its stack:
SETITEM(S) calls `__setitem__`, APPEND(S) calls `append`/`extend`, so a pickle that applies them
to a rebuilt tensor, a storage or an immutable value reaches code paths no `torch.save` output
uses (the memory-corruption class of the 2025-2026 weights-only advisories). Storages are
declared in the pickle (`('storage', type, key, location, numel)`) and their bytes live in
archive members; a declared size that disagrees with the member is a parser-confusion attempt.
"""

from __future__ import annotations

from typing import Any

from aisec.probes.artifacts.pickle.values import (
    BIGINT,
    BIGSTR,
    BYTES,
    FLOAT,
    LIST,
    PERSISTENT,
    SET,
    Global,
    Obj,
)

# bytes per element of each typed storage class torch.save names
STORAGE_BYTES = {
    "DoubleStorage": 8,
    "FloatStorage": 4,
    "HalfStorage": 2,
    "BFloat16Storage": 2,
    "LongStorage": 8,
    "IntStorage": 4,
    "ShortStorage": 2,
    "CharStorage": 1,
    "ByteStorage": 1,
    "BoolStorage": 1,
    "ComplexDoubleStorage": 16,
    "ComplexFloatStorage": 8,
    "QUInt8Storage": 1,
    "QInt8Storage": 1,
    "QInt32Storage": 4,
    "QUInt4x2Storage": 1,
    "QUInt2x4Storage": 1,
    "UntypedStorage": 1,
    "Float8_e4m3fnStorage": 1,
    "Float8_e5m2Storage": 1,
    "Float8_e4m3fnuzStorage": 1,
    "Float8_e5m2fnuzStorage": 1,
}
MAX_STORAGES = 100_000
_NOT_MAPPING = (tuple, str, int, float, bool, type(None))
_OPAQUE_VALUES = frozenset(id(v) for v in (BYTES, BIGSTR, BIGINT, FLOAT, SET, PERSISTENT))


def _tensorish(target: Any) -> str | None:
    if type(target) is Obj and type(target.func) is Global:
        q = target.func.qualname
        if q.startswith(("torch._utils._rebuild", "torch._tensor._rebuild")) or q.endswith(
            "Storage"
        ):
            return q
        if q in ("torch.Size", "torch.nn.parameter.Parameter"):
            return q
    return None


def container_misuse(target: Any, op: str) -> str | None:
    """Why applying SETITEM(S)/APPEND(S) `op` to `target` is outside what torch.save writes."""
    if target is PERSISTENT:
        return f"{op} applied to a tensor storage"
    name = _tensorish(target)
    if name is not None:
        return f"{op} applied to the result of {name}"
    if op.startswith("SETITEM") and (target is LIST or isinstance(target, _NOT_MAPPING)):
        kind = "list" if target is LIST else type(target).__name__
        return f"{op} applied to a {kind}, not a mapping"
    if op.startswith("APPEND") and (type(target) is dict or isinstance(target, _NOT_MAPPING)):
        return f"{op} applied to a {type(target).__name__}, not a list"
    if id(target) in _OPAQUE_VALUES:
        return f"{op} applied to {target!r}"
    return None


def storage_declaration(pid: Any) -> tuple[str, int] | None:
    """(key, declared bytes or -1) of a torch.save storage persistent id."""
    if type(pid) is not tuple or len(pid) < 5 or pid[0] != "storage":
        return None
    kind, key, numel = pid[1], pid[2], pid[4]
    if type(key) is not str or type(numel) is not int or type(kind) is not Global:
        return None
    size = STORAGE_BYTES.get(kind.name)
    return key, (numel * size if size is not None and numel >= 0 else -1)
