"""Reference-model membership inference (offline LiRA-style), the attack that matters at low FPR.

The attacker trains K reference models (a clone of the target when it is in-process, a random
forest otherwise) on random halves of its own population rows, so none of them saw the rows under
test. A row's score is how much more confident the target is on its true label than the
references are, on the logit scale: phi(p_target) − mean_k phi(p_ref_k). Per-row calibration is
what lets this attack pick out individual members that a global confidence threshold misses.
Reference outputs pass through the target's output defence, as the attacker would see them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisec.probes.ml.interface import Target
from aisec.probes.ml.roc import RocSummary, summarise
from aisec.probes.ml.settings import Settings, Split

if TYPE_CHECKING:
    import numpy as np

EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    import numpy as np

    q = np.clip(p, EPS, 1 - EPS)
    out: np.ndarray = np.log(q) - np.log1p(-q)
    return out


def reference_attack(
    target: Target,
    split: Split,
    pm: np.ndarray,
    pn: np.ndarray,
    ym: np.ndarray,
    yn: np.ndarray,
    s: Settings,
) -> RocSummary | None:
    """None when the population is too small or misses a class."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.ensemble import RandomForestClassifier

    k = target.n_classes
    if len(split.x_pop) < 20 or len(set(split.y_pop.tolist())) < k:
        return None
    est = target.estimator
    rng = np.random.default_rng(s.seed)
    x_all = np.concatenate([split.x_members[: len(ym)], split.x_eval[: len(yn)]])
    y_all = np.concatenate([ym, yn])
    ref_conf = []
    for i in range(s.reference_models):
        idx = rng.permutation(len(split.x_pop))[: len(split.x_pop) // 2]
        if len(set(split.y_pop[idx].tolist())) < k:
            continue
        model = clone(est) if est is not None else RandomForestClassifier(100, n_jobs=1)
        if "random_state" in model.get_params():
            model.set_params(random_state=s.seed + i)
        model.fit(split.x_pop[idx], split.y_pop[idx])
        proba = np.zeros((len(x_all), k))
        proba[:, np.asarray(model.classes_, dtype=int)] = model.predict_proba(x_all)
        proba = target.postprocess(proba)
        ref_conf.append(_logit(proba[np.arange(len(y_all)), y_all]))
    if not ref_conf:
        return None
    baseline = np.mean(ref_conf, axis=0)
    target_conf = _logit(np.concatenate([pm[np.arange(len(ym)), ym], pn[np.arange(len(yn)), yn]]))
    score = target_conf - baseline
    return summarise(score[: len(ym)], score[len(ym) :])
