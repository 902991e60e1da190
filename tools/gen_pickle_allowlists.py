"""Generate the pickle allow-list extension from the libraries' own public APIs.

`python tools/gen_pickle_allowlists.py` imports the pinned scikit-learn, NumPy and (when
installed) PyTorch and pandas, lists every callable their own pickles can name — estimator and
helper classes, score and kernel functions users pass as parameters, ufuncs, scalar and dtype
classes, torch dtypes, layouts, memory formats, quantisation schemes, storages and tensor
rebuild functions — and writes `src/aisec/probes/artifacts/pickle/allowlist_generated.py`.

What is left out on purpose: any function that reads, writes or fetches files (sklearn.datasets,
numpy.load/save/fromfile/memmap, pandas.io), anything that calls a callable it is given
(numpy.vectorize, frompyfunc, apply_along_axis), test helpers, and the classes named in
EXCLUDED_CLASSES. Re-run it after changing a pinned version and commit the result.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import warnings
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1] / "src/aisec/probes/artifacts/pickle/allowlist_generated.py"
)

SKLEARN_SKIP = (
    "sklearn.datasets",
    "sklearn.externals",
    "sklearn.tests",
    "sklearn.utils._testing",
    "sklearn.utils._show_versions",
    "sklearn.utils.tests",
    "sklearn._build_utils",
    "sklearn.__check_build",
    "sklearn.conftest",
    "sklearn.experimental",
)
# Functions users hand to estimators as parameters (score_func, scoring, kernel, metric).
SKLEARN_FUNCTION_MODULES = (
    "sklearn.metrics._classification",
    "sklearn.metrics._regression",
    "sklearn.metrics._ranking",
    "sklearn.metrics.pairwise",
    "sklearn.metrics.cluster._supervised",
    "sklearn.metrics.cluster._unsupervised",
    "sklearn.feature_selection._univariate_selection",
    "sklearn.feature_selection._mutual_info",
)
# Classes that call a user-supplied callable or touch files as part of what they are for.
EXCLUDED_CLASSES = frozenset({"FunctionTransformer"})

STDLIB = [
    "argparse.Namespace",
    "types.SimpleNamespace",
    "uuid.UUID",
    "array.array",
    "array._array_reconstructor",
    "copyreg.__newobj__",
    "copyreg.__newobj_ex__",
    *(
        f"pathlib.{n}"
        for n in "PurePath PurePosixPath PureWindowsPath Path PosixPath WindowsPath".split()
    ),
    *(
        f"ipaddress.{n}"
        for n in "IPv4Address IPv6Address IPv4Network IPv6Network IPv4Interface IPv6Interface".split()
    ),
    "enum.Enum",
    "collections.ChainMap",
]


def _skip(name: str) -> bool:
    return name.startswith(SKLEARN_SKIP) or ".tests" in name or name.endswith(".conftest")


def sklearn_names() -> set[str]:
    import sklearn

    out: set[str] = set()
    for info in pkgutil.walk_packages(sklearn.__path__, "sklearn."):
        if _skip(info.name):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001, S112 - optional submodules (e.g. missing deps)
            continue
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) and name not in EXCLUDED_CLASSES:
                out.add(f"{module.__name__}.{obj.__qualname__}")
            elif inspect.isfunction(obj) and module.__name__ in SKLEARN_FUNCTION_MODULES:
                if not name.startswith("_"):
                    out.add(f"{module.__name__}.{name}")
    return out


def numpy_names() -> set[str]:
    import numpy as np

    out: set[str] = set()
    for name in dir(np):
        obj = getattr(np, name, None)
        if isinstance(obj, np.ufunc):
            out.add(f"numpy.{name}")
        elif inspect.isclass(obj) and issubclass(obj, np.generic):
            out.add(f"numpy.{name}")
            out.add(f"{obj.__module__}.{obj.__qualname__}")
    for core in ("numpy.core", "numpy._core"):
        out.add(f"{core}._ufunc_reconstruct")
        out.add(f"{core}.multiarray._reconstruct")
        out.add(f"{core}.multiarray.scalar")
        out.add(f"{core}.numeric._frombuffer")
    dtypes = importlib.import_module("numpy.dtypes")
    out.update(f"numpy.dtypes.{n}" for n in dir(dtypes) if n.endswith("DType"))
    core = importlib.import_module("numpy.ma.core")
    for name in ("MaskedArray", "mvoid", "MaskedConstant"):
        cls = getattr(core, name)
        out.add(f"numpy.ma.{name}")
        out.add(f"numpy.ma.core.{name}")
        out.add(f"{cls.__module__}.{cls.__qualname__}")
    out.update({"numpy.ma.core._mareconstruct", "numpy.ma.core.masked_array"})
    random = importlib.import_module("numpy.random")
    for name in dir(random):
        obj = getattr(random, name)
        if inspect.isclass(obj):
            out.add(f"{obj.__module__}.{obj.__qualname__}")
    return out


def torch_names() -> set[str]:
    try:
        import torch
    except ImportError:
        return set()
    out: set[str] = set()
    for name in dir(torch):
        obj = getattr(torch, name, None)
        kinds = (torch.dtype, torch.layout, torch.memory_format, torch.qscheme)
        if isinstance(obj, kinds):
            out.add(f"torch.{name}")
        elif inspect.isclass(obj) and name.endswith("Storage"):
            out.add(f"torch.{name}")
            out.add(f"{obj.__module__}.{obj.__qualname__}")
    utils = importlib.import_module("torch._utils")
    out.update(f"torch._utils.{n}" for n in dir(utils) if n.startswith("_rebuild"))
    tensor = importlib.import_module("torch._tensor")
    out.update(f"torch._tensor.{n}" for n in dir(tensor) if n.startswith("_rebuild"))
    rt = importlib.import_module("torch.return_types")
    out.update(f"torch.return_types.{n}" for n in dir(rt) if inspect.isclass(getattr(rt, n)))
    out.update({"torch.Size", "torch.device", "torch.Tensor", "torch.nn.parameter.Parameter"})
    out.add("torch.nn.parameter.Buffer")
    return out


def pandas_names() -> set[str]:
    """pandas objects pickle through pandas' own reconstructors; pandas.io (read_*) stays out."""
    try:
        import pandas as pd
    except ImportError:
        return set()
    out: set[str] = set()
    for name in dir(pd):
        obj = getattr(pd, name)
        if inspect.isclass(obj):
            out.add(f"{obj.__module__}.{obj.__qualname__}")
    for module_name in (
        "pandas._libs.internals",
        "pandas.core.internals.managers",
        "pandas.core.internals.blocks",
        "pandas._libs.tslibs.timestamps",
        "pandas._libs.tslibs.timedeltas",
        "pandas._libs.tslibs.offsets",
        "pandas.core.indexes.base",
        "pandas.core.arrays",
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, obj in vars(module).items():
            if name.startswith(("_unpickle", "_new_", "unpickle")) or (
                inspect.isclass(obj) and getattr(obj, "__module__", "") == module_name
            ):
                out.add(f"{module_name}.{name}")
    return {n for n in out if not n.startswith("pandas.io")}


def versions() -> dict[str, str]:
    out = {}
    for name in ("sklearn", "numpy", "torch", "pandas"):
        try:
            out[name] = importlib.import_module(name).__version__
        except ImportError:
            out[name] = "not installed"
    return out


def main() -> int:
    warnings.simplefilter("ignore")
    names = set(STDLIB) | sklearn_names() | numpy_names() | torch_names() | pandas_names()
    names = {n for n in names if "<" not in n and " " not in n}
    pinned = ", ".join(f"{k} {v}" for k, v in versions().items())
    lines = [
        '"""Generated by tools/gen_pickle_allowlists.py — do not edit by hand.',
        "",
        f"Callables the pinned libraries put in their own pickles ({pinned}).",
        '"""',
        "",
        f"VERSIONS = {versions()!r}",
        "",
        "GENERATED: frozenset[str] = frozenset(",
        "    (",
        *(f"        {n!r}," for n in sorted(names)),
        "    )",
        ")",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(names)} names to {OUT} ({pinned})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
