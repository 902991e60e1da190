"""Benchmark `aisec mltest`: time and peak Python memory of each test on breast_cancer and digits,
next to the same attack run through IBM ART directly, printed as a ratio (aisec / ART).

    python bench/mltest.py [--evasion-samples 40]

The ART-direct baselines do the bare attack with the same model, rows and parameters; aisec's
extra work is the overhead being measured: for evasion, standardisation, one query of all
evaluation rows and seeded starting points; for membership, the threshold and reference-model
attacks on top of the same ART shadow-model attack. Extraction and poisoning have no sklearn-compatible ART equivalent
(KnockoffNets passes `batch_size` to `fit`; spectral signatures need NN activations): n/a.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier
from threadpoolctl import threadpool_limits

from aisec.probes.ml.evasion import run_evasion
from aisec.probes.ml.extraction import run_extraction
from aisec.probes.ml.membership import run_membership
from aisec.probes.ml.poisoning import run_poisoning
from aisec.probes.ml.settings import Settings, split_holdout, split_one_table
from aisec.probes.ml.wrappers import EstimatorTarget


def measure(fn: Callable[[], Any]) -> tuple[float, float]:
    """(seconds, peak MiB of Python/numpy allocations) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20


def art_hopskipjump(model: Any, x: np.ndarray, y: np.ndarray, s: Settings) -> None:
    from art.attacks.evasion import HopSkipJump
    from art.estimators.classification import BlackBoxClassifier

    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    mu = x.mean(axis=0)
    n = s.evasion_samples
    z = (x[:n] - mu) / sd
    keep = model.predict(x[:n]) == y[:n]
    clf = BlackBoxClassifier(
        lambda v: model.predict_proba(v * sd + mu), (x.shape[1],), len(model.classes_)
    )
    attack = HopSkipJump(
        clf,
        norm=np.inf,
        max_iter=s.hsj_max_iter,
        max_eval=s.hsj_max_eval,
        init_eval=s.hsj_init_eval,
        init_size=50,
        verbose=False,
    )
    np.random.seed(s.seed)
    attack.generate(z[keep])


def art_shadow_mia(model: Any, split: Any, s: Settings) -> None:
    from art.attacks.inference.membership_inference import (
        MembershipInferenceBlackBox,
        ShadowModels,
    )
    from art.estimators.classification import SklearnClassifier
    from sklearn.base import clone

    k = len(model.classes_)
    onehot = np.eye(k)[split.y_pop]
    template = SklearnClassifier(clone(model))
    template.fit(split.x_pop, onehot)
    shadows = ShadowModels(template, num_shadow_models=s.shadow_models, random_state=s.seed)
    (mx, my, mp), (nx, ny, npred) = shadows.generate_shadow_dataset(split.x_pop, onehot)
    attack = MembershipInferenceBlackBox(SklearnClassifier(model), attack_model_type="rf")
    attack.fit(x=mx, y=my, test_x=nx, test_y=ny, pred=mp, test_pred=npred)
    n = min(len(split.x_members), len(split.x_eval), s.mia_max_samples)
    attack.infer(split.x_members[:n], np.eye(k)[split.y_members[:n]], probabilities=True)
    attack.infer(split.x_eval[:n], np.eye(k)[split.y_eval[:n]], probabilities=True)


def warm_up() -> None:
    """Import every ART/sklearn module first so no measured call pays for imports."""
    import art.attacks.evasion
    import art.attacks.inference.membership_inference
    import art.estimators.classification
    import sklearn.ensemble
    import sklearn.model_selection

    del art, sklearn


def bench(name: str, s: Settings) -> None:
    x, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    x_tr, y_tr, x_ho, y_ho = split_one_table(x.astype(float), y, s.seed)
    split = split_holdout(x_tr, y_tr, x_ho, y_ho, s.seed, "bench")
    model = RandomForestClassifier(n_estimators=100, random_state=s.seed, n_jobs=1)
    model.fit(split.x_members, split.y_members)
    target = EstimatorTarget(model, name)
    rows = [
        (
            "evasion (HopSkipJump)",
            lambda: run_evasion(target, split.x_eval, split.y_eval, s),
            lambda: art_hopskipjump(model, split.x_eval, split.y_eval, s),
        ),
        (
            "membership (3 attacks vs ART shadow)",
            lambda: run_membership(target, split, s),
            lambda: art_shadow_mia(model, split, s),
        ),
        ("extraction (4 budgets)", lambda: run_extraction(target, split, s), None),
        ("poisoning screen", lambda: run_poisoning(x_tr, y_tr, s), None),
    ]
    print(f"\n{name}: {len(x)} rows, {x.shape[1]} features, {len(set(y))} classes")
    print(f"{'test':36} {'aisec s':>8} {'MiB':>7} {'ART s':>8} {'MiB':>7} {'ratio':>6}")
    for label, ours, theirs in rows:
        t_ours, m_ours = measure(ours)
        if theirs is None:
            print(f"{label:36} {t_ours:8.2f} {m_ours:7.1f} {'n/a':>8} {'n/a':>7} {'n/a':>6}")
            continue
        t_art, m_art = measure(theirs)
        print(
            f"{label:36} {t_ours:8.2f} {m_ours:7.1f} {t_art:8.2f} {m_art:7.1f} "
            f"{t_ours / t_art:6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evasion-samples", type=int, default=40)
    args = parser.parse_args()
    s = Settings(evasion_samples=args.evasion_samples)
    warnings.simplefilter("ignore")
    warm_up()
    with threadpool_limits(limits=1):
        for name in ("breast_cancer", "digits"):
            bench(name, s)


if __name__ == "__main__":
    main()
