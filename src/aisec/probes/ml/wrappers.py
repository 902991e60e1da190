"""Targets built from other targets: an in-process estimator, and defences put in front of one.

`RoundedConfidence` and `LabelOnly` implement the "obscure confidence" control, `QueryBudget`
stands for a rate limit / query quota; tests put them in front of a target to show how much less
an attacker learns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisec.probes.ml.interface import OutputKind, QueryBudgetExceeded, Target

if TYPE_CHECKING:
    import numpy as np


class EstimatorTarget:
    """A fitted scikit-learn-compatible classifier in this process."""

    def __init__(self, estimator: Any, description: str) -> None:
        if not hasattr(estimator, "predict_proba") or not hasattr(estimator, "classes_"):
            from aisec.common.errors import InputError

            raise InputError(
                "the model is not a fitted classifier with predict_proba and classes_",
                source=description,
            )
        self._estimator = estimator
        self._description = description
        self._queries = 0

    @property
    def description(self) -> str:
        return self._description

    @property
    def n_classes(self) -> int:
        return len(self._estimator.classes_)

    @property
    def classes(self) -> list[Any]:
        return [c.item() if hasattr(c, "item") else c for c in self._estimator.classes_]

    @property
    def output_kind(self) -> OutputKind:
        return OutputKind.PROBABILITIES

    @property
    def estimator(self) -> Any | None:
        return self._estimator

    @property
    def queries(self) -> int:
        return self._queries

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        self._queries += len(x)
        return np.asarray(self._estimator.predict_proba(x), dtype=np.float64)

    def postprocess(self, proba: np.ndarray) -> np.ndarray:
        return proba


class _Wrapper:
    """Delegates everything to an inner target; subclasses change what comes back."""

    def __init__(self, inner: Target) -> None:
        self.inner = inner

    @property
    def description(self) -> str:
        return self.inner.description

    @property
    def n_classes(self) -> int:
        return self.inner.n_classes

    @property
    def classes(self) -> list[Any]:
        return self.inner.classes

    @property
    def output_kind(self) -> OutputKind:
        return self.inner.output_kind

    @property
    def estimator(self) -> Any | None:
        return self.inner.estimator

    @property
    def queries(self) -> int:
        return self.inner.queries

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self._own(self.inner.predict_proba(x))

    def postprocess(self, proba: np.ndarray) -> np.ndarray:
        return self._own(self.inner.postprocess(proba))

    def _own(self, proba: np.ndarray) -> np.ndarray:
        """This wrapper's own change to the scores (identity here)."""
        return proba


class RoundedConfidence(_Wrapper):
    """Return probabilities rounded to `digits` decimals (the "obscure confidence" defence)."""

    def __init__(self, inner: Target, digits: int) -> None:
        if digits < 0:
            raise ValueError("digits must be >= 0")
        super().__init__(inner)
        self.digits = digits

    @property
    def description(self) -> str:
        return f"{self.inner.description} (confidence rounded to {self.digits} digits)"

    @property
    def output_kind(self) -> OutputKind:
        return (
            OutputKind.LABELS if self.inner.output_kind is OutputKind.LABELS else OutputKind.ROUNDED
        )

    def _own(self, proba: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.round(proba, self.digits)


class LabelOnly(_Wrapper):
    """Return only the predicted label, as a one-hot row."""

    @property
    def description(self) -> str:
        return f"{self.inner.description} (labels only)"

    @property
    def output_kind(self) -> OutputKind:
        return OutputKind.LABELS

    def _own(self, proba: np.ndarray) -> np.ndarray:
        import numpy as np

        onehot = np.zeros_like(proba)
        onehot[np.arange(len(proba)), np.argmax(proba, axis=1)] = 1.0
        return onehot


class QueryBudget(_Wrapper):
    """Refuse to send more than `budget` rows in total to the inner target."""

    def __init__(self, inner: Target, budget: int) -> None:
        if budget <= 0:
            raise ValueError("budget must be positive")
        super().__init__(inner)
        self.budget = budget
        self._used = 0

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        if self._used + len(x) > self.budget:
            raise QueryBudgetExceeded(
                f"query budget of {self.budget} rows exhausted ({self._used} used, {len(x)} asked)",
                hint="raise --query-budget or lower the per-test sizes",
            )
        self._used += len(x)
        return self.inner.predict_proba(x)
