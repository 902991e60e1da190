"""Load a scikit-learn model without running code from the model file.

Pickle/joblib files execute arbitrary code on load, so aisec accepts only skops files: skops lists
the types a file would instantiate, and we trust them only when every one is on an explicit
allow-list (scikit-learn's own estimator classes plus a few named internals). Anything else is
refused by name. The alternative, `--model-entrypoint package.module:factory`, runs the user's
own code on purpose and is documented as such.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from aisec.common.errors import InputError
from aisec.probes.ml.deps import require
from aisec.probes.ml.wrappers import EstimatorTarget

MAX_MODEL_BYTES = 512 * 1024 * 1024
MAX_SCHEMA_BYTES = 64 * 1024 * 1024  # skops's schema.json, decompressed
MAX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024  # all members, decompressed

# Internal (non-estimator) types that fitted scikit-learn models legitimately contain.
EXTRA_TRUSTED_TYPES = frozenset(
    {
        "sklearn.tree._tree.Tree",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
        "sklearn.utils._bunch.Bunch",
        "collections.OrderedDict",
        "numpy.dtype",
    }
)

_ENTRYPOINT = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")


def trusted_type_names() -> frozenset[str]:
    """Every scikit-learn estimator class by its full module path, plus `EXTRA_TRUSTED_TYPES`."""
    from sklearn.utils import all_estimators

    names = {f"{cls.__module__}.{cls.__qualname__}" for _, cls in all_estimators()}
    return frozenset(names) | EXTRA_TRUSTED_TYPES


def load_skops(path: Path) -> EstimatorTarget:
    """Load a skops file after checking every type it would create against the allow-list."""
    require("skops")
    import skops.io as sio

    source = str(path)
    if not path.is_file():
        raise InputError("model file not found", source=source, field="--model")
    size = path.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise InputError(
            f"model file is {size} bytes, above the {MAX_MODEL_BYTES} limit", source=source
        )
    if path.suffix.lower() in {".pkl", ".pickle", ".joblib"}:
        raise InputError(
            "pickle/joblib models run code when loaded; aisec does not load them",
            source=source,
            hint="convert with skops.io.dump, or name a factory with --model-entrypoint",
        )
    _check_unpacked_sizes(path)
    try:
        untrusted = list(sio.get_untrusted_types(file=path))
    except Exception as exc:  # a corrupt or non-skops file; skops raises several kinds
        raise InputError(f"not a readable skops file: {exc}", source=source) from exc
    allowed = trusted_type_names()
    refused = sorted(t for t in untrusted if t not in allowed)
    if refused:
        raise InputError(
            "the model file uses types outside aisec's allow-list: " + ", ".join(refused),
            source=source,
            hint="only scikit-learn estimators and their internals are loaded from skops files",
        )
    try:
        model = sio.load(path, trusted=untrusted)
    except Exception as exc:
        raise InputError(f"skops could not load the model: {exc}", source=source) from exc
    return EstimatorTarget(model, description=path.name)


def _check_unpacked_sizes(path: Path) -> None:
    """Refuse a skops archive whose members would inflate beyond the limits, before skops
    reads them: the archive's own size says nothing about a schema.json that inflates to
    gigabytes. Python's zip reader stops at each member's declared size, so bounding the
    declared sizes bounds what is decompressed."""
    import zipfile

    source = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a readable skops file: {exc}", source=source) from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename == "schema.json" and info.file_size > MAX_SCHEMA_BYTES:
            raise InputError(
                f"schema.json inflates to {info.file_size} bytes, above the "
                f"{MAX_SCHEMA_BYTES} limit",
                source=source,
            )
        if total > MAX_UNPACKED_BYTES:
            raise InputError(
                f"members inflate beyond {MAX_UNPACKED_BYTES} bytes in total", source=source
            )


def load_entrypoint(spec: str) -> EstimatorTarget:
    """Import `package.module:factory` and call it. This runs the user's own code, on purpose."""
    if not _ENTRYPOINT.match(spec):
        raise InputError("expected package.module:factory", source="--model-entrypoint", field=spec)
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the user's module may fail in any way while importing
        raise InputError(
            f"cannot import {module_name!r}: {type(exc).__name__}: {exc}",
            source="--model-entrypoint",
        ) from exc
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise InputError(
            f"{attr!r} is not a callable in {module_name}", source="--model-entrypoint"
        )
    try:
        model: Any = factory()
    except Exception as exc:  # the user's factory, same
        raise InputError(
            f"{spec}() raised {type(exc).__name__}: {exc}",
            source="--model-entrypoint",
            hint="the factory takes no arguments and returns a fitted classifier",
        ) from exc
    return EstimatorTarget(model, description=spec)
