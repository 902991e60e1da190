"""Evasion falls with the budget; extraction fidelity rises with the query budget."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from aisec.probes.ml.evasion import run_evasion
from aisec.probes.ml.extraction import query_set, run_extraction
from aisec.probes.ml.wrappers import EstimatorTarget, LabelOnly


@pytest.mark.parametrize(
    "model",
    [
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        LogisticRegression(max_iter=5000),
    ],
    ids=["scaled-logreg", "raw-logreg"],
)
def test_whitebox_robust_accuracy_falls_with_eps(cancer, fast, model):
    split = cancer[0]
    model.fit(split.x_members, split.y_members)
    r = run_evasion(EstimatorTarget(model, "lr"), split.x_eval, split.y_eval, fast)
    assert r.whitebox is not None
    acc = [r.whitebox.robust_accuracy[e] for e in fast.eps]
    assert all(a >= b for a, b in zip(acc, acc[1:], strict=False))
    assert acc[0] > acc[-1]
    assert acc[0] <= r.clean_accuracy
    assert r.n == fast.evasion_samples
    assert r.blackbox.queries > 0


def test_blackbox_only_for_forest(cancer, fast):
    split = cancer[0]
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(
        split.x_members, split.y_members
    )
    r = run_evasion(EstimatorTarget(model, "rf"), split.x_eval, split.y_eval, fast)
    assert r.whitebox is None
    acc = [r.blackbox.robust_accuracy[e] for e in fast.eps]
    assert all(a >= b for a, b in zip(acc, acc[1:], strict=False))
    assert acc[-1] < r.clean_accuracy  # a 2-sd change flips some forest decisions
    assert r.blackbox.median_linf is not None and r.blackbox.median_l2 >= r.blackbox.median_linf


def test_extraction_fidelity_rises_with_budget(digits, fast):
    split = digits[0]
    model = LogisticRegression(C=0.1, max_iter=3000).fit(split.x_members, split.y_members)
    r = run_extraction(EstimatorTarget(model, "lr"), split, fast)
    assert r.fidelity[20] < r.fidelity[200] < r.fidelity[1000] + 1e-9
    assert r.fidelity[1000] > 0.85
    assert r.queries == max(fast.extraction_budgets) + len(split.x_eval)


def test_extraction_label_only_does_not_leak_more(digits, fast):
    split = digits[0]
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(
        split.x_members, split.y_members
    )
    full = run_extraction(EstimatorTarget(model, "rf"), split, fast)
    labels = run_extraction(LabelOnly(EstimatorTarget(model, "rf")), split, fast)
    assert labels.output_kind == "labels"
    assert labels.fidelity[20] <= full.fidelity[20] + 0.02


def test_query_set_prefix_and_seed():
    pool = np.arange(40, dtype=float).reshape(20, 2)
    a, nat = query_set(pool, 50, 0.25, seed=3)
    b, _ = query_set(pool, 50, 0.25, seed=3)
    assert nat == 20 and a.shape == (50, 2)
    assert np.array_equal(a, b)
    assert {tuple(r) for r in a[:20]} == {tuple(r) for r in pool}
