"""Benign corpus: files really produced by scikit-learn, joblib, NumPy and pickle, plus a
torch.save-shaped archive assembled by hand (torch itself is optional, bench only).
Shared by the tests and bench/scan.py; builders return bytes."""

from __future__ import annotations

import collections
import datetime
import importlib.util
import io
import pickle
import warnings
from collections.abc import Callable

import numpy as np
from archives import torch_zip
from pickles import g, proto, s, tup


def _fitted() -> dict[str, object]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_iris
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.svm import SVC, LinearSVC
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True)
    warnings.filterwarnings("ignore", module="sklearn")  # convergence warnings of tiny fits
    return {
        "logreg": LogisticRegression(max_iter=500).fit(x, y),
        "forest": RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y),
        "gboost": GradientBoostingClassifier(n_estimators=3, random_state=0).fit(x, y),
        "pipeline": make_pipeline(StandardScaler(), SVC()).fit(x, y),
        "kmeans": KMeans(n_clusters=3, n_init=1, random_state=0).fit(x),
        "tree": DecisionTreeClassifier(random_state=0).fit(x, y),
        "kdtree": KNeighborsClassifier(algorithm="kd_tree").fit(x, y),
        "mlp": MLPClassifier(max_iter=5, random_state=0).fit(x, y),
        "histgb": HistGradientBoostingClassifier(max_iter=3).fit(x, y),
        "onehot": OneHotEncoder().fit(x[:, :1]),
        "calibrated": CalibratedClassifierCV(LinearSVC(), cv=2).fit(x, y),
    }


def _joblib(obj: object, **kw: object) -> bytes:
    import joblib

    buf = io.BytesIO()
    joblib.dump(obj, buf, **kw)
    return buf.getvalue()


def _npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _npz(compressed: bool) -> bytes:
    buf = io.BytesIO()
    fn = np.savez_compressed if compressed else np.savez
    fn(buf, a=np.arange(100), b=np.ones((3, 3)), c=np.array(["x", "yz"]))
    return buf.getvalue()


def torch_like_data_pkl() -> bytes:
    """What torch.save pickles for {'w': tensor}: persistent-id storage + _rebuild_tensor_v2."""
    storage = b"(" + s("storage") + g("torch", "FloatStorage") + s("0") + s("cpu") + b"K\x04tQ"
    tensor = (
        g("torch._utils", "_rebuild_tensor_v2")
        + tup(
            storage,
            b"K\x00",
            b"K\x04\x85",
            b"K\x01\x85",
            b"\x89",
            g("collections", "OrderedDict") + b")R",
        )
        + b"R"
    )
    return proto(2) + g("collections", "OrderedDict") + b")R" + s("w") + tensor + b"s."


def builders() -> dict[str, Callable[[], bytes]]:
    out: dict[str, Callable[[], bytes]] = {}
    models = _fitted()
    for name, model in models.items():
        out[f"sklearn-{name}.joblib"] = lambda m=model: _joblib(m)
        out[f"sklearn-{name}-p2.pkl"] = lambda m=model: pickle.dumps(m, protocol=2)
        out[f"sklearn-{name}-p5.pkl"] = lambda m=model: pickle.dumps(m, protocol=5)
    out["sklearn-logreg-zlib.joblib"] = lambda: _joblib(models["logreg"], compress=3)
    out["sklearn-forest-gzip.joblib"] = lambda: _joblib(models["forest"], compress=("gzip", 3))
    out["sklearn-forest-bz2.joblib"] = lambda: _joblib(models["forest"], compress=("bz2", 3))
    out["sklearn-forest-xz.joblib"] = lambda: _joblib(models["forest"], compress=("xz", 3))
    out["sklearn-forest-lzma.joblib"] = lambda: _joblib(models["forest"], compress=("lzma", 3))
    out["joblib-object-array.joblib"] = lambda: _joblib({"o": np.array([1, "a", None], object)})
    out["numpy-float.npy"] = lambda: _npy(np.random.default_rng(0).random((10, 10)))
    out["numpy-int.npy"] = lambda: _npy(np.arange(1000, dtype=np.int32))
    out["numpy-str.npy"] = lambda: _npy(np.array(["a", "bcd"]))
    out["numpy-struct.npy"] = lambda: _npy(np.zeros(4, dtype=[("a", "<i4"), ("b", "<f8")]))
    out["numpy-object-ints.npy"] = lambda: _npy(np.array([1, 2, 3], dtype=object), True)
    out["numpy.npz"] = lambda: _npz(False)
    out["numpy-compressed.npz"] = lambda: _npz(True)
    out["numpy-arrays-p4.pkl"] = lambda: pickle.dumps([np.ones(8) for _ in range(20)], protocol=4)
    out["numpy-arrays-p5.pkl"] = lambda: pickle.dumps([np.ones(8) for _ in range(20)], protocol=5)
    plain = {
        "d": collections.OrderedDict(a=1),
        "s": {1, 2},
        "f": frozenset({3}),
        "t": datetime.datetime(2024, 1, 1),
        "b": b"\x00\x01",
        "c": complex(1, 2),
        "dd": collections.defaultdict(int),
    }
    for p in range(6):
        out[f"plain-p{p}.pkl"] = lambda p=p: pickle.dumps(plain, protocol=p)
    out["torch-like.pt"] = lambda: torch_zip(torch_like_data_pkl())
    if importlib.util.find_spec("skops") is not None:
        for name in ("forest", "gboost", "pipeline"):
            out[f"sklearn-{name}.skops"] = lambda m=models[name]: _skops(m)
    return out


def _skops(model: object) -> bytes:
    import skops.io

    return bytes(skops.io.dumps(model))


def torch_builders() -> dict[str, Callable[[], bytes]]:
    """Files written by torch.save itself (only when torch is installed; never a dependency)."""
    import torch

    def model() -> torch.nn.Module:
        torch.manual_seed(0)
        return torch.nn.Sequential(
            torch.nn.Linear(4, 3),
            torch.nn.ReLU(),
            torch.nn.Conv2d(1, 2, 3),
            torch.nn.BatchNorm1d(3),
            torch.nn.LayerNorm(3),
            torch.nn.Embedding(5, 2),
        )

    def save(obj: object, legacy: bool = False) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
        return buf.getvalue()

    tensors = {
        "h": torch.zeros(3, dtype=torch.float16),
        "b": torch.zeros(2, dtype=torch.bfloat16),
        "i": torch.arange(4, dtype=torch.int8),
        "p": torch.nn.Parameter(torch.ones(2)),
        "c": torch.zeros(2, dtype=torch.complex64),
    }
    return {
        "torch-state-dict.pt": lambda: save(model().state_dict()),
        "torch-state-dict-legacy.pt": lambda: save(model().state_dict(), legacy=True),
        "torch-whole-model.pt": lambda: save(model()),
        "torch-whole-model-legacy.pt": lambda: save(model(), legacy=True),
        "torch-dtypes.pt": lambda: save(tensors),
        "torch-optimizer.pt": lambda: save(torch.optim.Adam(model().parameters()).state_dict()),
        "torch-transformer.pt": lambda: save(
            torch.nn.Sequential(
                torch.nn.TransformerEncoderLayer(4, 2),
                torch.nn.TransformerDecoderLayer(4, 2, activation="gelu"),
                torch.nn.GRU(4, 4),
            )
        ),
    }
