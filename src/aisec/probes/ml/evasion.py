"""Evasion: accuracy that survives small input changes, found by ART attacks.

Features of tabular data have unrelated scales, so attacks run in standardised space
(z = (x − mean) / std of the evaluation rows) and every budget ε is "ε standard deviations per
feature" (L∞). The black-box attack (ART HopSkipJump, predictions only) searches the smallest
adversarial change per row; a row counts as robust at ε when the attack failed or needed more
than ε. It is an upper bound: a stronger search could do better. When the target is an
in-process linear model ART can differentiate, a white-box PGD attack is run at each ε as well.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisec.probes.ml.interface import Target
from aisec.probes.ml.settings import Settings

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class AttackOutcome:
    """One attack's results over the same n rows."""

    attack: str
    knowledge: str
    params: dict[str, Any]
    robust_accuracy: dict[float, float]
    success_rate: dict[float, float]
    median_l2: float | None
    median_linf: float | None
    queries: int

    def to_details(self) -> dict[str, Any]:
        return {
            "attack": self.attack,
            "attacker_knowledge": self.knowledge,
            "params": self.params,
            "robust_accuracy": {f"{e:g}": round(v, 6) for e, v in self.robust_accuracy.items()},
            "success_rate": {f"{e:g}": round(v, 6) for e, v in self.success_rate.items()},
            "median_l2": None if self.median_l2 is None else round(self.median_l2, 6),
            "median_linf": None if self.median_linf is None else round(self.median_linf, 6),
            "target_queries": self.queries,
        }


@dataclass(frozen=True)
class EvasionResult:
    n: int
    clean_accuracy: float
    eps: tuple[float, ...]
    blackbox: AttackOutcome
    whitebox: AttackOutcome | None

    @property
    def headline(self) -> AttackOutcome:
        """The strongest attack we ran (white-box when available)."""
        return self.whitebox or self.blackbox

    def to_details(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "clean_accuracy": round(self.clean_accuracy, 6),
            "eps": list(self.eps),
            "eps_unit": "L-inf, in per-feature standard deviations",
            "blackbox": self.blackbox.to_details(),
            "whitebox": None if self.whitebox is None else self.whitebox.to_details(),
        }


def _scaling(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    return mu, np.where(sd > 1e-12, sd, 1.0)


def run_evasion(
    target: Target, x_eval: np.ndarray, y_eval: np.ndarray, s: Settings
) -> EvasionResult:
    import numpy as np

    mu, sd = _scaling(x_eval)
    n = min(s.evasion_samples, len(x_eval))
    z_all = (x_eval - mu) / sd
    pred_all = np.argmax(target.predict_proba(x_eval), axis=1)
    z0, y0 = z_all[:n], y_eval[:n]
    correct = pred_all[:n] == y0
    init = _starting_points(z_all, pred_all, n)
    blackbox = _hopskipjump(target, z0, y0, correct, init, mu, sd, s)
    whitebox = _pgd(target, z0, y0, correct, mu, sd, s)
    return EvasionResult(n, float(correct.mean()), s.eps, blackbox, whitebox)


def _starting_points(z_all: np.ndarray, pred_all: np.ndarray, n: int) -> np.ndarray:
    """For each attacked row, the nearest evaluation row the target labels differently.

    HopSkipJump otherwise draws its starting points from an unseeded generator; starting from
    real rows makes runs reproducible (rows with no such neighbour keep their own value, and
    HopSkipJump then falls back to its random search).
    """
    import numpy as np

    init = z_all[:n].copy()
    for i in range(n):
        other = np.flatnonzero(pred_all != pred_all[i])
        if len(other):
            dist = np.abs(z_all[other] - z_all[i]).max(axis=1)
            init[i] = z_all[other[int(np.argmin(dist))]]
    return init


def _summarise(
    name: str,
    knowledge: str,
    params: dict[str, Any],
    correct: np.ndarray,
    succeeded: np.ndarray,
    delta: np.ndarray,
    eps: tuple[float, ...],
    queries: int,
) -> AttackOutcome:
    """Robust accuracy at each ε from per-row minimal perturbations (∞ when the attack failed)."""
    import numpy as np

    n = len(correct)
    linf = np.where(succeeded, np.abs(delta).max(axis=1), np.inf)
    l2 = np.where(succeeded, np.linalg.norm(delta, axis=1), np.inf)
    robust = {e: float(np.sum(correct & (linf > e + 1e-9)) / n) for e in eps}
    n_correct = max(int(correct.sum()), 1)
    success = {e: float(np.sum(correct & (linf <= e + 1e-9)) / n_correct) for e in eps}
    ok = correct & succeeded
    return AttackOutcome(
        name,
        knowledge,
        params,
        robust,
        success,
        float(np.median(l2[ok])) if ok.any() else None,
        float(np.median(linf[ok])) if ok.any() else None,
        queries,
    )


def _hopskipjump(
    target: Target,
    z0: np.ndarray,
    y0: np.ndarray,
    correct: np.ndarray,
    init: np.ndarray,
    mu: np.ndarray,
    sd: np.ndarray,
    s: Settings,
) -> AttackOutcome:
    import numpy as np
    from art.attacks.evasion import HopSkipJump
    from art.estimators.classification import BlackBoxClassifier

    before = target.queries
    clf = BlackBoxClassifier(
        lambda z: target.predict_proba(z * sd + mu),
        input_shape=(z0.shape[1],),
        nb_classes=target.n_classes,
    )
    params = {
        "norm": "inf",
        "max_iter": s.hsj_max_iter,
        "max_eval": s.hsj_max_eval,
        "init_eval": s.hsj_init_eval,
        "init_size": 50,
    }
    attack = HopSkipJump(
        clf,
        targeted=False,
        norm=np.inf,
        max_iter=s.hsj_max_iter,
        max_eval=s.hsj_max_eval,
        init_eval=s.hsj_init_eval,
        init_size=50,
        verbose=False,
    )
    delta = np.zeros_like(z0)
    succeeded = np.zeros(len(z0), dtype=bool)
    idx = np.flatnonzero(correct)
    if len(idx):
        np.random.seed(s.seed)  # HopSkipJump draws from numpy's global generator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z_adv = attack.generate(z0[idx], x_adv_init=init[idx].copy())
        pred = np.argmax(target.predict_proba(z_adv * sd + mu), axis=1)
        succeeded[idx] = pred != y0[idx]
        delta[idx] = z_adv - z0[idx]
    return _summarise(
        "HopSkipJump",
        "black-box: predicted labels only",
        params,
        correct,
        succeeded,
        delta,
        s.eps,
        target.queries - before,
    )


def _pgd(
    target: Target,
    z0: np.ndarray,
    y0: np.ndarray,
    correct: np.ndarray,
    mu: np.ndarray,
    sd: np.ndarray,
    s: Settings,
) -> AttackOutcome | None:
    """PGD (L∞) at each ε for a linear model ART can differentiate; None otherwise."""
    import numpy as np
    from art.attacks.evasion import ProjectedGradientDescent

    clf = _differentiable(target.estimator, mu, sd)
    if clf is None:
        return None
    robust: dict[float, float] = {}
    success: dict[float, float] = {}
    l2s: list[float] = []
    linfs: list[float] = []
    n = len(z0)
    onehot = np.eye(target.n_classes)[y0]
    for e in s.eps:
        np.random.seed(s.seed)
        attack = ProjectedGradientDescent(
            clf,
            norm=np.inf,
            eps=e,
            eps_step=e / 4,
            max_iter=s.pgd_max_iter,
            num_random_init=0,
            verbose=False,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z_adv = attack.generate(z0, y=onehot)
        pred = np.argmax(target.predict_proba(z_adv * sd + mu), axis=1)
        fooled = correct & (pred != y0)
        robust[e] = float(np.sum(correct & (pred == y0)) / n)
        success[e] = float(fooled.sum() / max(int(correct.sum()), 1))
        if e == max(s.eps) and fooled.any():
            d = z_adv[fooled] - z0[fooled]
            l2s = np.linalg.norm(d, axis=1).tolist()
            linfs = np.abs(d).max(axis=1).tolist()
    params = {"norm": "inf", "max_iter": s.pgd_max_iter, "eps_step": "eps/4"}
    return AttackOutcome(
        "ProjectedGradientDescent",
        "white-box: model parameters and gradients",
        params,
        robust,
        success,
        float(np.median(l2s)) if l2s else None,
        float(np.median(linfs)) if linfs else None,
        0,
    )


def _differentiable(estimator: Any, mu: np.ndarray, sd: np.ndarray) -> Any | None:
    """ART wrapper of a (scaled) linear model taking standardised inputs z, or None."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, LinearSVC

    if estimator is None:
        return None
    supported = (LogisticRegression, SVC, LinearSVC)
    sub, div = -mu / sd, 1.0 / sd  # model input x = (z - sub) / div = z * sd + mu
    model = estimator
    if isinstance(estimator, Pipeline) and len(estimator.steps) == 2:
        scaler, model = estimator.steps[0][1], estimator.steps[1][1]
        if not isinstance(scaler, StandardScaler) or not isinstance(model, supported):
            return None
        m_s = scaler.mean_ if scaler.with_mean else 0.0
        s_s = scaler.scale_ if scaler.with_std else 1.0
        sub, div = (m_s - mu) / sd, s_s / sd  # scaled input = (z*sd + mu - m_s) / s_s
    elif not isinstance(estimator, supported):
        return None
    from art.estimators.classification.scikitlearn import SklearnClassifier

    return SklearnClassifier(model, preprocessing=(sub, div))
