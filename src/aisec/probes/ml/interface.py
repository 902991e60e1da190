"""The contract every classic-ML test works against: a `Target` that maps rows to class scores.

A target may be a local scikit-learn estimator, an ONNX session or an HTTP endpoint; tests only
see `predict_proba` (rows → an n×k matrix over class indices 0..k-1) and what the target admits
about itself (does it return probabilities, rounded ones or only labels; is there an in-process
estimator we can clone or differentiate). Wrappers (rounding, label-only, query budget) are
targets too, so a defence can be put in front of any target and measured.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from aisec.common.errors import ProbeError

if TYPE_CHECKING:
    import numpy as np

TOOL = "aisec-mltest"


class OutputKind(StrEnum):
    """What an attacker sees for each query."""

    PROBABILITIES = "probabilities"
    ROUNDED = "rounded-probabilities"
    LABELS = "labels"


class MLTest(StrEnum):
    """The four measurements; values are the `mltest:<test>` check names of the catalogue."""

    EVASION = "evasion"
    MEMBERSHIP_INFERENCE = "membership-inference"
    EXTRACTION = "extraction"
    POISONING = "poisoning"


class QueryBudgetExceeded(ProbeError):
    """The test needed more target queries than the budget allowed."""


@runtime_checkable
class Target(Protocol):
    """A classifier under test, as seen by an attacker."""

    @property
    def description(self) -> str:
        """Short human-readable name (model file, URL...)."""

    @property
    def n_classes(self) -> int: ...

    @property
    def classes(self) -> list[Any]:
        """Label value of each class index, in the column order of `predict_proba`."""

    @property
    def output_kind(self) -> OutputKind: ...

    @property
    def estimator(self) -> Any | None:
        """The in-process scikit-learn estimator, when there is one (clone, gradients)."""

    @property
    def queries(self) -> int:
        """Rows sent to the target so far."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Scores per class index for each row (one-hot when only labels are returned)."""

    def postprocess(self, proba: np.ndarray) -> np.ndarray:
        """Apply this target's output defence to scores from another model (shadow models)."""
