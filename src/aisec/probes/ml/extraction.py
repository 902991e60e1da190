"""Model extraction: how closely can a copy trained on N answers mimic the target?

ART's extraction attacks (CopycatCNN, KnockoffNets) need a trainable neural classifier, so the
surrogate is trained here with scikit-learn. The attacker owns the population rows and, past
them, makes synthetic rows by jittering population rows with Gaussian noise (a fraction of each
feature's spread). The largest query set is drawn once and smaller budgets are its prefixes.
Soft answers are used as they come: each query contributes one weighted row per class with the
returned probability as weight, so rounded confidences or bare labels give the copy less to learn
from. Fidelity is agreement with the target on held-out evaluation rows the attacker never saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisec.probes.ml.interface import Target
from aisec.probes.ml.settings import Settings, Split

if TYPE_CHECKING:
    import numpy as np

SURROGATE = "RandomForest(50 trees)"


@dataclass(frozen=True)
class ExtractionResult:
    budgets: tuple[int, ...]
    fidelity: dict[int, float]
    surrogate_accuracy: dict[int, float]
    target_accuracy: float
    n_eval: int
    natural_queries: int
    output_kind: str
    queries: int

    @property
    def largest_budget_fidelity(self) -> float:
        return self.fidelity[max(self.budgets)]

    def to_details(self) -> dict[str, Any]:
        return {
            "budgets": list(self.budgets),
            "fidelity": {str(b): round(v, 6) for b, v in self.fidelity.items()},
            "surrogate_accuracy": {str(b): round(v, 6) for b, v in self.surrogate_accuracy.items()},
            "target_accuracy": round(self.target_accuracy, 6),
            "n_eval": self.n_eval,
            "natural_queries": self.natural_queries,
            "surrogate": SURROGATE,
            "target_output": self.output_kind,
            "target_queries": self.queries,
        }


def query_set(pool: np.ndarray, size: int, noise: float, seed: int) -> tuple[np.ndarray, int]:
    """`size` attacker rows: shuffled population rows first, then jittered copies of them."""
    import numpy as np

    rng = np.random.default_rng(seed)
    natural = pool[rng.permutation(len(pool))][:size]
    extra = size - len(natural)
    if extra <= 0:
        return natural, len(natural)
    sd = pool.std(axis=0)
    base = pool[rng.integers(0, len(pool), extra)]
    synthetic = base + rng.normal(0.0, 1.0, base.shape) * sd * noise
    return np.concatenate([natural, synthetic]), len(natural)


def fit_surrogate(x: np.ndarray, proba: np.ndarray, seed: int) -> Any:
    """Fit on (row, class) pairs weighted by the returned probability of that class."""
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier

    rows, cls = np.nonzero(proba > 0)
    weights = proba[rows, cls]
    if len(set(cls.tolist())) < 2:  # the answers never varied: the copy is a constant
        rows = np.arange(len(x))
        cls = np.argmax(proba, axis=1)
        weights = np.ones(len(x))
    model = RandomForestClassifier(n_estimators=50, random_state=seed, n_jobs=1)
    model.fit(x[rows], cls, sample_weight=weights)
    return model


def _predict_index(model: Any, x: np.ndarray) -> np.ndarray:
    import numpy as np

    index: np.ndarray = np.asarray(model.classes_)[np.argmax(model.predict_proba(x), axis=1)]
    return index


def run_extraction(target: Target, split: Split, s: Settings) -> ExtractionResult:
    import numpy as np

    from aisec.common.errors import ProbeError

    if len(split.x_pop) < 2 or len(split.x_eval) < 10:
        raise ProbeError("extraction needs held-out population and evaluation rows")
    budgets = tuple(sorted(set(s.extraction_budgets)))
    before = target.queries
    xq, natural = query_set(split.x_pop, max(budgets), s.extraction_noise, s.seed)
    answers = target.predict_proba(xq)
    target_eval = np.argmax(target.predict_proba(split.x_eval), axis=1)
    fidelity: dict[int, float] = {}
    accuracy: dict[int, float] = {}
    for b in budgets:
        model = fit_surrogate(xq[:b], answers[:b], s.seed)
        pred = _predict_index(model, split.x_eval)
        fidelity[b] = float(np.mean(pred == target_eval))
        accuracy[b] = float(np.mean(pred == split.y_eval))
    return ExtractionResult(
        budgets,
        fidelity,
        accuracy,
        float(np.mean(target_eval == split.y_eval)),
        len(split.x_eval),
        min(natural, max(budgets)),
        target.output_kind.value,
        target.queries - before,
    )
