"""ONNX files written by the real `onnx` package (skipped when it is not installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.probes.artifacts.formats import OnnxHandler
from aisec.probes.finding import Verdict

from .builders import assert_clean, rules, scan

onnx = pytest.importorskip("onnx")
np = pytest.importorskip("numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

H = OnnxHandler()


def build(weight_location: str | None = None, domain: str = "") -> bytes:
    w = numpy_helper.from_array(np.ones((4, 4), dtype=np.float32), name="W")
    if weight_location is not None:
        w.ClearField("raw_data")
        w.data_location = TensorProto.EXTERNAL
        entry = w.external_data.add()
        entry.key, entry.value = "location", weight_location
    nodes = [helper.make_node("MatMul", ["X", "W"], ["Y"])]
    opsets = [helper.make_opsetid("", 17)]
    if domain:
        nodes.append(helper.make_node("Evil", ["Y"], ["Z"], domain=domain))
        opsets.append(helper.make_opsetid(domain, 1))
    out = "Z" if domain else "Y"
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, 4])], [w],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=opsets, producer_name="onnx-test")
    return model.SerializeToString()


def test_real_model_passes() -> None:
    found = scan(H, build())
    assert_clean(found, "onnx.ok")
    assert found[0].details["producer"].startswith("onnx-test")


def test_model_saved_with_external_data_passes(tmp_path: Path) -> None:
    model = onnx.load_from_string(build())
    onnx.save_model(model, tmp_path / "m.onnx", save_as_external_data=True,
                    all_tensors_to_one_file=True, location="m.onnx.data", size_threshold=0)  # fmt: skip
    found = scan(H, (tmp_path / "m.onnx").read_bytes())
    assert_clean(found, "onnx.ok")
    assert found[0].details["external_data"] == ["m.onnx.data"]


@pytest.mark.parametrize("location", ["../../../../etc/passwd", "/etc/passwd"])
def test_real_traversal_is_malicious(location: str) -> None:
    found = scan(H, build(weight_location=location))
    assert [f.verdict for f in found if f.rule_id == "onnx.external-data-traversal"] == [
        Verdict.MALICIOUS
    ]


def test_real_custom_domain_is_suspicious() -> None:
    assert "onnx.custom-domain" in rules(scan(H, build(domain="com.attacker.ops")))
