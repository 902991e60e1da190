"""Model and data loading: skops allow-list, refused formats, precise data errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from aisec.common.errors import InputError
from aisec.probes.ml.data import encode_labels, load_table
from aisec.probes.ml.load_sklearn import load_entrypoint, load_skops


class Sneaky(ClassifierMixin, BaseEstimator):
    """A class from outside scikit-learn: skops reports it as untrusted."""

    def fit(self, x, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, x):
        return np.tile([0.5, 0.5], (len(x), 1))


def _xy(n=60):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] > 0).astype(int)


def test_skops_forest_loads(tmp_path: Path):
    x, y = _xy()
    path = tmp_path / "m.skops"
    sio.dump(RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y), path)
    target = load_skops(path)
    assert target.n_classes == 2 and target.predict_proba(x[:4]).shape == (4, 2)


@pytest.mark.parametrize(
    "model, refused",
    [
        (make_pipeline(FunctionTransformer(np.log1p), Sneaky()), "Sneaky"),
        (make_pipeline(FunctionTransformer(eval), RandomForestClassifier(2)), "builtins.eval"),
    ],
)
def test_skops_untrusted_types_are_named(tmp_path: Path, model, refused):
    x, y = _xy()
    path = tmp_path / "m.skops"
    if refused == "Sneaky":
        model.fit(np.abs(x), y)
    else:  # eval as a transform cannot be fitted on numbers; skops stores it unfitted
        model.steps[1][1].fit(x, y)
    sio.dump(model, path)
    with pytest.raises(InputError) as err:
        load_skops(path)
    assert refused in str(err.value) and "allow-list" in str(err.value)


@pytest.mark.parametrize("name, body", [("m.pkl", b"\x80\x04N."), ("m.skops", b"not a zip")])
def test_pickle_and_garbage_refused(tmp_path: Path, name, body):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(InputError):
        load_skops(path)


@pytest.mark.parametrize("spec", ["nodots", "a.b:", "a b:c", "os:system;x"])
def test_entrypoint_format(spec):
    with pytest.raises(InputError):
        load_entrypoint(spec)


def test_entrypoint_runs_named_factory(tmp_path: Path, monkeypatch):
    (tmp_path / "my_models.py").write_text(
        "import numpy as np\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "def build():\n"
        "    x = np.arange(20.0).reshape(10, 2); y = (x[:, 0] > 9).astype(int)\n"
        "    return LogisticRegression().fit(x, y)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_entrypoint("my_models:build").n_classes == 2


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "d.csv"
    path.write_text(text)
    return path


def test_csv_reads_and_encodes(tmp_path: Path):
    rows = "\n".join(f"{i},{i * 2},{i % 2}" for i in range(30))
    table = load_table(_csv(tmp_path, "a,b,y\n" + rows + "\n"), "y")
    assert table.x.shape == (30, 2) and table.feature_names == ("a", "b")
    assert encode_labels(table.y, [0, 1], table.source).tolist()[:3] == [0, 1, 0]


@pytest.mark.parametrize(
    "text, label, expect",
    [
        ("a,b,y\n1,2,0\n1,x,1\n", "y", "d.csv:3: b: non-numeric"),
        ("a,b,y\n1,2,0\n1,2\n", "y", "d.csv:3: expected 3 fields"),
        ("a,b,y\n1,2,0\n", "label", "label column 'label' not in header"),
        ("a,b,y\n1,,0\n", "y", "d.csv:2: b: non-numeric"),
        ("a,b,y\n" + "1,2,0\n" * 25, "y", "single class"),
        ("a,b,y\n1,2,0\n", "y", "at least 20"),
        ("a,b,y\n1,inf,0\n", "y", "d.csv:2: b: missing or infinite"),
    ],
)
def test_csv_errors_are_precise(tmp_path: Path, text, label, expect):
    with pytest.raises(InputError) as err:
        load_table(_csv(tmp_path, text), label)
    assert expect in str(err.value)


def test_npz_without_pickle(tmp_path: Path):
    x, y = _xy()
    np.savez(tmp_path / "d.npz", x=x, y=y)
    assert load_table(tmp_path / "d.npz", None).x.shape == (60, 3)
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}] * 30, dtype=object), y=y[:30])
    with pytest.raises(InputError):
        load_table(tmp_path / "o.npz", None)


def test_unknown_label_names_row(tmp_path: Path):
    with pytest.raises(InputError) as err:
        encode_labels(np.array([0, 1, 7]), [0, 1], str(tmp_path / "d.csv"))
    assert "'7'" in str(err.value) and ":4" in str(err.value)


def test_parquet_without_pyarrow_is_input_error(tmp_path: Path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    (tmp_path / "d.parquet").write_bytes(b"PAR1")
    with pytest.raises(InputError) as err:
        load_table(tmp_path / "d.parquet", "y")
    assert "pyarrow" in str(err.value)


def test_thresholds_file_errors_name_the_line(tmp_path: Path):
    from aisec.probes.ml.thresholds import Thresholds, load_thresholds

    assert load_thresholds(None) == Thresholds()
    path = tmp_path / "t.yaml"
    path.write_text("membership_inference:\n  max_auc: 0.55\n")
    assert load_thresholds(path).membership_inference.max_auc == 0.55
    path.write_text("membership_inference:\n  max_auc: 1.5\n")
    with pytest.raises(InputError) as err:
        load_thresholds(path)
    assert "t.yaml:2" in str(err.value)
