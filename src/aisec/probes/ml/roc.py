"""ROC summaries for membership-inference scores: AUC and TPR at low false-positive rates.

Average-case AUC hides the attacks that matter for privacy (confidently identifying a few
members), so we also report TPR at 0.1 % and 1 % FPR, read conservatively from the ROC (the best
TPR among thresholds whose FPR does not exceed the target), and say when there are too few
non-members for that FPR to be resolvable at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

LOW_FPRS = (0.001, 0.01)
MAX_CURVE_POINTS = 200


@dataclass(frozen=True)
class RocSummary:
    auc: float
    tpr_at_fpr: dict[float, float]
    resolvable: dict[float, bool]
    n_members: int
    n_nonmembers: int
    curve: tuple[tuple[float, float], ...]

    def to_details(self) -> dict[str, Any]:
        return {
            "auc": round(self.auc, 6),
            "tpr_at_0.1pct_fpr": round(self.tpr_at_fpr[0.001], 6),
            "tpr_at_1pct_fpr": round(self.tpr_at_fpr[0.01], 6),
            "fpr_resolvable": {f"{k:g}": v for k, v in self.resolvable.items()},
            "n_members": self.n_members,
            "n_nonmembers": self.n_nonmembers,
            "roc": [[round(f, 6), round(t, 6)] for f, t in self.curve],
        }


def summarise(scores_members: np.ndarray, scores_nonmembers: np.ndarray) -> RocSummary:
    """Higher score = "more likely a member"."""
    import numpy as np
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.concatenate([np.ones(len(scores_members)), np.zeros(len(scores_nonmembers))])
    s = np.concatenate([scores_members, scores_nonmembers]).astype(np.float64)
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    auc = float(roc_auc_score(y, s))
    tpr_at = {}
    for target in LOW_FPRS:
        ok = fpr <= target + 1e-12
        tpr_at[target] = float(tpr[ok].max()) if ok.any() else 0.0
    resolvable = {t: len(scores_nonmembers) * t >= 1.0 for t in LOW_FPRS}
    return RocSummary(
        auc, tpr_at, resolvable, len(scores_members), len(scores_nonmembers), _thin(fpr, tpr)
    )


def _thin(fpr: np.ndarray, tpr: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Keep at most MAX_CURVE_POINTS points, spaced evenly on a log FPR axis (plus the ends)."""
    import numpy as np

    if len(fpr) <= MAX_CURVE_POINTS:
        return tuple(zip(fpr.tolist(), tpr.tolist(), strict=True))
    grid = np.concatenate([[0.0], np.logspace(-4, 0, MAX_CURVE_POINTS - 1)])
    keep = sorted({int(np.searchsorted(fpr, g, side="right") - 1) for g in grid} | {len(fpr) - 1})
    return tuple((float(fpr[i]), float(tpr[i])) for i in keep if i >= 0)
