"""joblib writes NumPy array bytes straight into the pickle stream after each wrapper object.

The walker must step over those bytes (or walk the nested pickle an object array becomes)
instead of decoding them as opcodes. This module computes how many bytes follow a
`NumpyArrayWrapper` from the state dict the wrapper's BUILD receives.
"""

from __future__ import annotations

from math import prod
from typing import Any

from aisec.common.lazyre import lazy_compile
from aisec.probes.artifacts.pickle.values import Global, Obj

WRAPPERS = frozenset(
    {
        "joblib.numpy_pickle.NumpyArrayWrapper",
        "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
    }
)
_DTYPE = lazy_compile(r"^[<>|=]?([a-zA-Z])(\d*)$")
OBJECT = -1  # the payload is a nested pickle


def _itemsize(dtype: Any) -> int | None:
    if type(dtype) is not Obj or type(dtype.func) is not Global:
        return None
    if dtype.func.qualname != "numpy.dtype" or type(dtype.args) is not tuple or not dtype.args:
        return None
    spec = dtype.args[0]
    if type(spec) is not str:
        return None
    m = _DTYPE.match(spec)
    if not m:
        return None
    if m.group(1) == "O":
        return OBJECT
    state = dtype.state
    if type(state) is tuple and len(state) >= 6 and type(state[5]) is int and state[5] > 0:
        if type(state[3]) is dict and state[3]:
            return None  # structured dtype: fields may hold objects
        return int(state[5])
    return int(m.group(2)) if m.group(2) else None


def payload(target: Obj, state: Any) -> tuple[int, bool] | None:
    """(bytes to skip or OBJECT, alignment byte present) for a joblib wrapper, else None."""
    if type(target.func) is not Global or target.func.qualname not in WRAPPERS:
        return None
    if type(state) is not dict:
        return None
    shape = state.get("shape")
    if type(shape) is not tuple or not all(type(d) is int and d >= 0 for d in shape):
        return None
    size = _itemsize(state.get("dtype"))
    if size is None:
        return None
    if size == OBJECT:
        return OBJECT, False
    aligned = state.get("numpy_array_alignment_bytes") is not None
    return prod(shape) * size, aligned
