"""False positives (issue 15): files the real libraries write are clean, including the ones
the first wave flagged — score functions and scorers in scikit-learn objects, masked arrays,
argparse.Namespace and pathlib paths in checkpoints, every torch dtype, quantised tensors,
TorchScript code, joblib's LZ4 compression, ONNX with a non-ASCII producer, HDF5 with a user
block and TensorFlow fingerprints with newer fields."""

from __future__ import annotations

import argparse
import io
import pathlib
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

TORCH_FIXTURES = Path(__file__).parent / "fixtures" / "torch"
KERAS_FIXTURES = Path(__file__).parent / "fixtures" / "keras"


def _sklearn_objects() -> dict[str, object]:
    from sklearn.datasets import make_classification
    from sklearn.feature_selection import SelectKBest, chi2, f_classif, mutual_info_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    x, y = make_classification(60, 5, random_state=0)
    x = np.abs(x)
    grid = {"C": [0.1, 1.0]}
    return {
        "selectk-f_classif": SelectKBest(f_classif, k=2).fit(x, y),
        "selectk-chi2": SelectKBest(chi2, k=2).fit(x, y),
        "selectk-mutual-info": make_pipeline(
            SelectKBest(mutual_info_classif, k=2), LogisticRegression()
        ).fit(x, y),
        "grid-make_scorer": GridSearchCV(
            LogisticRegression(max_iter=200), grid, scoring=make_scorer(f1_score), cv=2
        ).fit(x, y),
        "grid-string-scoring": GridSearchCV(
            LogisticRegression(max_iter=200), grid, scoring="accuracy", cv=2
        ).fit(x, y),
    }


def _joblib(obj: object, **kw: object) -> bytes:
    import joblib

    buf = io.BytesIO()
    joblib.dump(obj, buf, **kw)
    return buf.getvalue()


def _builders() -> dict[str, Callable[[], bytes]]:
    out: dict[str, Callable[[], bytes]] = {}
    objects = _sklearn_objects()
    for name, obj in objects.items():
        out[f"{name}.pkl"] = lambda o=obj: pickle.dumps(o, protocol=5)
        out[f"{name}.joblib"] = lambda o=obj: _joblib(o)
    out["grid-lz4.joblib"] = lambda: _joblib(objects["grid-make_scorer"], compress=("lz4", 3))
    out["masked-array.pkl"] = lambda: pickle.dumps(
        np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]), protocol=4
    )
    out["checkpoint-namespace.pkl"] = lambda: pickle.dumps(
        {
            "args": argparse.Namespace(lr=0.1, out=pathlib.Path("runs/1")),
            "data": pathlib.PurePosixPath("data/train"),
        },
        protocol=4,
    )
    out["onnx-non-ascii-producer.onnx"] = _onnx_non_ascii
    out["fingerprint.pb"] = _fingerprint_with_uuid
    out["userblock.h5"] = _hdf5_user_block
    return out


def _onnx_non_ascii() -> bytes:
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model = helper.make_model(graph, producer_name="Trainer-ÄÖÜ-模型", doc_string="d" * 6000)
    return bytes(model.SerializeToString())


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _fingerprint_with_uuid() -> bytes:
    # FingerprintDef as TensorFlow >= 2.15 writes it: 5 hashes, VersionDef, uuid string
    hashes = b"".join(_varint(i << 3) + _varint((1 << 62) + i * 977) for i in range(1, 6))
    version = b"\x08\x01"
    uuid = b"8c2f1f0e-3a5e-4a4b-9f4b-0c1d2e3f4a5b"
    return (
        hashes
        + _varint(6 << 3 | 2)
        + _varint(len(version))
        + version
        + _varint(7 << 3 | 2)
        + _varint(len(uuid))
        + uuid
    )


def _hdf5_user_block() -> bytes:
    h5py = pytest.importorskip("h5py")
    buf = io.BytesIO()
    with h5py.File(buf, "w", userblock_size=4096) as f:
        f.create_dataset("w", data=np.arange(10, dtype=np.float32))
    return buf.getvalue()


BUILDERS = _builders()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_library_made_file_is_clean(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(BUILDERS[name]())
    result = scan_paths([path]).files[0]
    assert result.verdict is FileVerdict.CLEAN, [f for f in result.findings if f.verdict != "pass"]


@pytest.mark.parametrize("path", sorted(TORCH_FIXTURES.glob("*.pt")), ids=lambda p: p.name)
def test_committed_torch_files_are_clean(path: Path) -> None:
    """Made once by real torch (tools/gen_torch_fixtures.py): every dtype incl. float8 and
    quantised ones, checkpoints with argparse.Namespace and pathlib, TorchScript archives."""
    result = scan_paths([path]).files[0]
    assert result.verdict is FileVerdict.CLEAN, [f for f in result.findings if f.verdict != "pass"]


@pytest.mark.parametrize("path", sorted(KERAS_FIXTURES.glob("*.keras")), ids=lambda p: p.name)
def test_committed_keras_files_are_clean(path: Path) -> None:
    """Saved by Keras 3.15.1 itself: every object they name is on the generated allow-list."""
    result = scan_paths([path]).files[0]
    assert result.verdict is FileVerdict.CLEAN, [f for f in result.findings if f.verdict != "pass"]
    assert any(f.rule_id.startswith("keras") and f.verdict == "pass" for f in result.findings)


def test_torchscript_code_members_are_parsed_not_skipped() -> None:
    result = scan_paths([TORCH_FIXTURES / "torchscript-scripted.pt"]).files[0]
    assert any(f.rule_id == "torchscript.ok" for f in result.findings)


def test_torchscript_reaching_outside_torch_is_flagged(tmp_path: Path) -> None:
    import zipfile

    src = zipfile.ZipFile(TORCH_FIXTURES / "torchscript-scripted.pt")
    out = tmp_path / "evil.pt"
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("functional.py"):
                data += b"\ndef leak(x: Tensor) -> Tensor:\n  return torch.ops.evil.run(x)\n"
                data += b"\ndef load(path: str) -> Tensor:\n  return torch.load(path)\n"
            dst.writestr(info, data)
    rules = {(f.rule_id, f.verdict) for f in scan_paths([out]).files[0].findings}
    assert ("torchscript.code", "malicious") in rules
    assert ("torchscript.code", "suspicious") in rules


def test_generated_allowlist_covers_the_libraries() -> None:
    from aisec.probes.artifacts.pickle.allowlist_generated import GENERATED, VERSIONS

    assert VERSIONS["sklearn"] != "not installed" and VERSIONS["numpy"] != "not installed"
    for name in (
        "sklearn.feature_selection._univariate_selection.f_classif",
        "sklearn.metrics._scorer._Scorer",
        "numpy.ma.core.MaskedArray",
        "torch.float8_e4m3fn",
        "torch.quint4x2",
        "argparse.Namespace",
    ):
        assert name in GENERATED
    assert not any(
        n.startswith(("sklearn.datasets", "pandas.io", "numpy.lib.npyio")) for n in GENERATED
    )
