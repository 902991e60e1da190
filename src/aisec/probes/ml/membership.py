"""Membership inference: can an attacker tell the model's training rows from unseen rows?

Three attacks on the same balanced, seeded sample of members and non-members:
- confidence threshold (Yeom et al.): score = the target's probability of the true label; with a
  label-only target this reduces to "correct ⇒ member" (ART's rule-based attack);
- shadow models (Shokri et al.) through ART: shadow copies of the model (a clone of the target
  when it is an in-process estimator, a random forest otherwise) are trained on the attacker's
  population rows, and ART's MembershipInferenceBlackBox learns member vs non-member from their
  outputs, passed through the same output defence as the target (rounding, labels only).
- reference models (offline LiRA-style, `reference_mia`): per-row calibrated confidence.
Each reports AUC and TPR at 0.1 % / 1 % FPR with n members and non-members.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisec.probes.ml.interface import Target
from aisec.probes.ml.reference_mia import reference_attack
from aisec.probes.ml.roc import RocSummary, summarise
from aisec.probes.ml.settings import Settings, Split

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class MembershipResult:
    n_members: int
    n_nonmembers: int
    threshold: RocSummary
    shadow: RocSummary | None
    reference: RocSummary | None
    shadow_template: str
    shadow_error: str | None
    queries: int

    @property
    def worst(self) -> RocSummary:
        """The attack with the higher AUC (what a defender must assume)."""
        ran = [r for r in (self.threshold, self.shadow, self.reference) if r is not None]
        return max(ran, key=lambda r: r.auc)

    @property
    def max_tpr_at_1pct(self) -> float:
        ran = [r for r in (self.threshold, self.shadow, self.reference) if r is not None]
        return max(r.tpr_at_fpr[0.01] for r in ran)

    def to_details(self) -> dict[str, Any]:
        return {
            "n_members": self.n_members,
            "n_nonmembers": self.n_nonmembers,
            "threshold_attack": self.threshold.to_details(),
            "shadow_attack": None if self.shadow is None else self.shadow.to_details(),
            "reference_attack": None if self.reference is None else self.reference.to_details(),
            "shadow_template": self.shadow_template,
            "shadow_error": self.shadow_error,
            "target_queries": self.queries,
            "note": _resolution_note(self.n_nonmembers),
        }


def _resolution_note(n_non: int) -> str:
    if n_non >= 1000:
        return "both low FPRs are resolvable"
    if n_non >= 100:
        return f"TPR at 0.1% FPR is not meaningful with {n_non} non-members (needs >= 1000)"
    return f"TPR at 0.1% and 1% FPR are not meaningful with {n_non} non-members"


def run_membership(target: Target, split: Split, s: Settings) -> MembershipResult:
    import numpy as np

    n = min(len(split.x_members), len(split.x_eval), s.mia_max_samples)
    if n < 10:
        from aisec.common.errors import ProbeError

        raise ProbeError(f"only {n} member/non-member rows; membership inference needs >= 10")
    xm, ym = split.x_members[:n], split.y_members[:n]
    xn, yn = split.x_eval[:n], split.y_eval[:n]
    before = target.queries
    pm, pn = target.predict_proba(xm), target.predict_proba(xn)
    score_m = pm[np.arange(n), ym]
    score_n = pn[np.arange(n), yn]
    threshold = summarise(score_m, score_n)
    shadow, template, error = None, _template_name(target), None
    try:
        shadow = _shadow_attack(target, split, pm, pn, ym, yn, s)
    except (ValueError, RuntimeError) as exc:  # ART rejects some data shapes (e.g. tiny pools)
        error = f"{type(exc).__name__}: {exc}"
    reference = reference_attack(target, split, pm, pn, ym, yn, s)
    return MembershipResult(
        n, n, threshold, shadow, reference, template, error, target.queries - before
    )


def _template_name(target: Target) -> str:
    est = target.estimator
    return f"clone of target ({type(est).__name__})" if est is not None else "RandomForest(100)"


def _shadow_attack(
    target: Target,
    split: Split,
    pm: np.ndarray,
    pn: np.ndarray,
    ym: np.ndarray,
    yn: np.ndarray,
    s: Settings,
) -> RocSummary | None:
    import numpy as np
    from art.attacks.inference.membership_inference import (
        MembershipInferenceBlackBox,
        ShadowModels,
    )
    from art.estimators.classification import BlackBoxClassifier, SklearnClassifier
    from sklearn.base import clone
    from sklearn.ensemble import RandomForestClassifier

    k = target.n_classes
    if len(split.x_pop) < 20 or len(set(split.y_pop.tolist())) < k:
        return None
    est = target.estimator
    base = clone(est) if est is not None else RandomForestClassifier(100, random_state=s.seed)
    if "random_state" in base.get_params():
        base.set_params(random_state=s.seed)
    onehot_pop = np.eye(k)[split.y_pop]
    template = SklearnClassifier(base)
    template.fit(split.x_pop, onehot_pop)  # ART cannot clone an unfitted sklearn wrapper
    np.random.seed(s.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shadows = ShadowModels(template, num_shadow_models=s.shadow_models, random_state=s.seed)
        (mx, my, mp), (nx, ny, npred) = shadows.generate_shadow_dataset(split.x_pop, onehot_pop)
        oracle = BlackBoxClassifier(
            target.predict_proba, input_shape=(split.x_pop.shape[1],), nb_classes=k
        )
        attack = MembershipInferenceBlackBox(
            oracle, input_type="prediction", attack_model_type="rf"
        )
        attack.attack_model = RandomForestClassifier(n_estimators=100, random_state=s.seed)
        attack.fit(
            x=mx,
            y=my,
            test_x=nx,
            test_y=ny,
            pred=target.postprocess(mp),
            test_pred=target.postprocess(npred),
        )
        eye = np.eye(k)
        sm = attack.infer(None, eye[ym], pred=pm, probabilities=True)
        sn = attack.infer(None, eye[yn], pred=pn, probabilities=True)
    return summarise(_member_column(sm), _member_column(sn))


def _member_column(p: np.ndarray) -> np.ndarray:
    import numpy as np

    p = np.asarray(p, dtype=np.float64)
    return p[:, -1] if p.ndim == 2 else p.ravel()
