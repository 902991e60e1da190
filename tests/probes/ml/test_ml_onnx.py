"""ONNX target: a small softmax-regression graph run through onnxruntime (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aisec.common.errors import InputError, MissingExtraError


def _graph(path: Path, w: np.ndarray, b: np.ndarray) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["xw"]),
        helper.make_node("Add", ["xw", "B"], ["logits"]),
        helper.make_node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "softmax_regression",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, w.shape[0]])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, w.shape[1]]),
        ],
        [
            numpy_helper.from_array(w.astype(np.float32), "W"),
            numpy_helper.from_array(b.astype(np.float32), "B"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def test_onnx_probabilities(tmp_path: Path):
    pytest.importorskip("onnxruntime")
    from aisec.probes.ml.onnx_target import OnnxTarget

    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    _graph(tmp_path / "m.onnx", w, b)
    target = OnnxTarget(tmp_path / "m.onnx", ["a", "b", "c"])
    x = rng.normal(size=(5, 4))
    logits = x @ w + b
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.allclose(target.predict_proba(x), expected, atol=1e-5)
    assert target.queries == 5 and target.estimator is None


def test_onnx_garbage_is_input_error(tmp_path: Path):
    pytest.importorskip("onnxruntime")
    from aisec.probes.ml.onnx_target import OnnxTarget

    (tmp_path / "bad.onnx").write_bytes(b"\x00not onnx")
    with pytest.raises(InputError):
        OnnxTarget(tmp_path / "bad.onnx", [0, 1])


def test_onnx_without_runtime(monkeypatch, tmp_path: Path):
    import sys

    from aisec.probes.ml.onnx_target import OnnxTarget

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingExtraError) as err:
        OnnxTarget(tmp_path / "m.onnx", [0, 1])
    assert "aisec[onnx]" in str(err.value)
