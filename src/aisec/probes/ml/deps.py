"""Lazy access to the optional `ml` libraries, and the versions recorded with every result.

`aisec --help` and every other command must work without numpy, scikit-learn or ART installed, so
nothing in this family imports them at module level; callers go through `require_ml()` first, which
turns an absent library into a `MissingExtraError` carrying the pip hint.
"""

from __future__ import annotations

import importlib
import warnings
from importlib import metadata

from aisec.common.errors import MissingExtraError

ML_MODULES = ("numpy", "sklearn", "art", "skops")
VERSIONED_DISTRIBUTIONS = {
    "numpy": "numpy",
    "scikit-learn": "scikit-learn",
    "adversarial-robustness-toolbox": "adversarial-robustness-toolbox",
    "skops": "skops",
    "scipy": "scipy",
}


def require(module: str, extra: str = "ml") -> None:
    """Import `module` (a library name we chose, never user input) or raise MissingExtraError."""
    try:
        with warnings.catch_warnings():  # ART warns at import that optional torch is absent
            warnings.simplefilter("ignore")
            importlib.import_module(module)
    except ImportError as exc:  # also raised when sys.modules[module] is None
        raise MissingExtraError(extra, module) from exc


def require_ml() -> None:
    """Check every library the `ml` extra provides."""
    for module in ML_MODULES:
        require(module)


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries whose behaviour shapes the numbers we report."""
    found: dict[str, str] = {}
    for label, dist in VERSIONED_DISTRIBUTIONS.items():
        try:
            found[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[label] = "absent"
    return found
