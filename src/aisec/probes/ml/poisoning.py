"""Poisoning screening of a training set: which rows look mislabelled or planted?

Three scores per row, each computed without trusting the row itself:
- label disagreement: 1 − the out-of-fold probability of the row's given label (a model trained
  on the other folds, seeded stratified K-fold); flipped labels score high;
- isolation forest on standardised features: how easily the row is isolated (a planted trigger
  value is an outlier);
- spectral signature (Tran et al. 2018) per class: squared projection on the top singular
  vector of the centred class rows. ART's SpectralSignatureDefense works on neural-network
  activations, so this feature-space variant is computed here.
A row is flagged when its given label gets out-of-fold probability below the threshold, or when
it is in the top 2 % of both outlier scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisec.probes.ml.settings import Settings

if TYPE_CHECKING:
    import numpy as np

OUTLIER_PERCENTILE = 0.98
SCREEN_MODEL = "RandomForest(100 trees, min_samples_leaf=2)"


@dataclass(frozen=True)
class SuspiciousRow:
    index: int
    label_score: float
    outlier_pct: float
    spectral_pct: float
    reasons: tuple[str, ...]

    def to_details(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "label_score": round(self.label_score, 6),
            "outlier_percentile": round(self.outlier_pct, 6),
            "spectral_percentile": round(self.spectral_pct, 6),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class PoisoningResult:
    n: int
    flagged: tuple[int, ...]
    top: tuple[SuspiciousRow, ...]
    folds: int
    label_threshold: float

    @property
    def flagged_fraction(self) -> float:
        return len(self.flagged) / self.n if self.n else 0.0

    def to_details(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "flagged": len(self.flagged),
            "flagged_fraction": round(self.flagged_fraction, 6),
            "flagged_indices": list(self.flagged[:500]),
            "top_rows": [r.to_details() for r in self.top],
            "cv_folds": self.folds,
            "label_threshold": self.label_threshold,
            "screen_model": SCREEN_MODEL,
            "index_base": "0-based row of the training data (CSV data row, header excluded)",
        }


def _percentile_rank(v: np.ndarray) -> np.ndarray:
    import numpy as np

    order = np.argsort(v, kind="stable")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(1, len(v) + 1)
    return ranks / len(v)


def label_scores(x: np.ndarray, y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    smallest = int(np.bincount(y).min())
    k = max(2, min(folds, smallest))
    model = RandomForestClassifier(
        n_estimators=100, min_samples_leaf=2, random_state=seed, n_jobs=1
    )
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    proba = np.asarray(cross_val_predict(model, x, y, cv=cv, method="predict_proba"))
    scores: np.ndarray = 1.0 - proba[np.arange(len(y)), y]
    return scores


def spectral_scores(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class percentile of the squared projection on the top singular direction."""
    import numpy as np

    out = np.zeros(len(y))
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        if len(idx) < 3:
            continue
        centred = z[idx] - z[idx].mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        out[idx] = _percentile_rank((centred @ vt[0]) ** 2)
    return out


def run_poisoning(x: np.ndarray, y_raw: np.ndarray, s: Settings) -> PoisoningResult:
    import numpy as np
    from sklearn.ensemble import IsolationForest

    _, y = np.unique(y_raw.astype(str) if y_raw.dtype == object else y_raw, return_inverse=True)
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 1e-12, sd, 1.0)
    lab = label_scores(x, y, s.poisoning_folds, s.seed)
    iso = IsolationForest(n_estimators=100, random_state=s.seed).fit(z)
    outlier = _percentile_rank(-iso.score_samples(z))
    spectral = spectral_scores(z, y)
    label_flag = lab > 1.0 - s.poisoning_label_threshold
    outlier_flag = (outlier >= OUTLIER_PERCENTILE) & (spectral >= OUTLIER_PERCENTILE)
    flagged = np.flatnonzero(label_flag | outlier_flag)
    combined = np.maximum(lab, np.minimum(outlier, spectral) * 0.5)
    order = np.lexsort((np.arange(len(y)), -combined))[: s.poisoning_top_k]
    top = []
    for i in order:
        reasons = []
        if label_flag[i]:
            reasons.append(f"given label has out-of-fold probability {1 - lab[i]:.3f}")
        if outlier_flag[i]:
            reasons.append("feature outlier (isolation forest and spectral signature top 2%)")
        top.append(
            SuspiciousRow(
                int(i), float(lab[i]), float(outlier[i]), float(spectral[i]), tuple(reasons)
            )
        )
    return PoisoningResult(
        len(y),
        tuple(int(i) for i in flagged),
        tuple(top),
        s.poisoning_folds,
        s.poisoning_label_threshold,
    )


def flip_labels(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Plant label noise for self-tests: change `fraction` of labels to another class."""
    import numpy as np

    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    idx = rng.choice(len(y), size=max(1, int(round(fraction * len(y)))), replace=False)
    out = y.copy()
    for i in idx:
        others = classes[classes != y[i]]
        out[i] = others[rng.integers(0, len(others))]
    return out, np.sort(idx)
