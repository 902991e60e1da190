"""Poisoning screen: planted label flips and trigger rows are found, clean data stays quiet."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets

from aisec.probes.ml.poisoning import flip_labels, run_poisoning


@pytest.mark.parametrize("name", ["breast_cancer", "wine", "digits"])
def test_planted_label_flips_are_found(name, fast):
    x, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    y_bad, planted = flip_labels(y, 0.05, seed=1)
    r = run_poisoning(x, y_bad, fast)
    flagged, truth = set(r.flagged), set(planted.tolist())
    recall = len(flagged & truth) / len(truth)
    precision = len(flagged & truth) / max(len(flagged), 1)
    assert recall >= 0.7, (recall, precision)
    assert precision >= 0.5, (recall, precision)
    head = [row.index for row in r.top[: min(len(truth), len(r.top))]]
    assert sum(i in truth for i in head) >= 0.8 * len(head)


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_clean_data_flags_few_rows(name, fast):
    x, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    assert run_poisoning(x, y, fast).flagged_fraction <= 0.03


def test_planted_trigger_rows_are_outliers(fast):
    x, y = datasets.load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(2)
    idx = rng.choice(len(y), 6, replace=False)
    x = x.copy()
    sd = x.std(axis=0)
    x[idx, :10] += 6 * sd[:10]  # trigger pattern: ten features pushed out by 6 sd
    y = y.copy()
    y[idx] = 1
    r = run_poisoning(x, y, fast)
    found = set(r.flagged) & set(idx.tolist())
    assert len(found) >= 5
    assert r.flagged_fraction <= 0.04


def test_string_labels_and_row_details(fast):
    x, y = datasets.load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    r = run_poisoning(x, names, fast)
    d = r.to_details()
    assert d["n"] == 150 and len(d["top_rows"]) == fast.poisoning_top_k
    assert all(0.0 <= row["label_score"] <= 1.0 for row in d["top_rows"])
