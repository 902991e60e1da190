"""ONNX external-data and custom-domain checks on ModelProto messages built in memory."""

from __future__ import annotations

import pytest

from aisec.probes.artifacts.formats import OnnxHandler
from aisec.probes.artifacts.formats.onnx import classify_location
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from . import onnx_samples as ox
from .builders import assert_clean, pb_msg, rules, scan

H = OnnxHandler()
W = pb_msg(5, ox.tensor("w"))


@pytest.mark.parametrize(
    "data",
    [
        ox.model(),
        ox.model(ox.node("MatMul"), W, ox.node("Softmax")),
        ox.model(pb_msg(5, ox.tensor("w", location="weights/model.onnx.data"))),
        ox.model(ox.node("FusedMatMul", "com.microsoft"),
                 opsets=(ox.opset("", 17), ox.opset("com.microsoft", 1))),
        ox.model(ox.node("TreeEnsembleClassifier", "ai.onnx.ml"),
                 opsets=(ox.opset("", 17), ox.opset("ai.onnx.ml", 3))),
        ox.model(ox.node("MyGelu", "local.fn"), opsets=(ox.opset("", 17), ox.opset("local.fn", 1)),
                 extra=ox.function("MyGelu", "local.fn", ox.node("Erf"))),
    ],
)  # fmt: skip
def test_benign_models_pass(data: bytes) -> None:
    found = scan(H, data)
    assert_clean(found, "onnx.ok")
    assert found[0].details["producer"] == "pytorch 2.4.0"


@pytest.mark.parametrize(
    "location",
    ["../../../etc/passwd", "/etc/shadow", "C:\\Windows\\win.ini", "data/../../x.bin",
     "file:///etc/passwd", "..\\..\\secret"],
)  # fmt: skip
def test_external_data_traversal_is_malicious(location: str) -> None:
    found = scan(H, ox.model(ox.node("MatMul"), pb_msg(5, ox.tensor("w", location=location))))
    hits = [f for f in found if f.rule_id == "onnx.external-data-traversal"]
    assert hits and hits[0].verdict is Verdict.MALICIOUS
    assert "CVE-2022-25882" in hits[0].message


def test_traversal_inside_a_subgraph_is_found() -> None:
    inner = pb_msg(5, ox.tensor("w", location="../../etc/passwd"))
    data = ox.model(ox.node("If", "", ox.subgraph_attr(inner)))
    assert "onnx.external-data-traversal" in rules(scan(H, data))


def test_traversal_in_sparse_initializer_is_found() -> None:
    sparse = pb_msg(15, pb_msg(1, ox.tensor("v", location="/abs/values.bin")))
    assert "onnx.external-data-traversal" in rules(scan(H, ox.model(sparse)))


@pytest.mark.parametrize(
    "data",
    [
        ox.model(ox.node("EvilOp", "com.attacker"),
                 opsets=(ox.opset("", 17), ox.opset("com.attacker", 1))),
        ox.model(ox.node("Relu"), opsets=(ox.opset("", 17), ox.opset("ai.onnx.contrib", 1))),
    ],
)  # fmt: skip
def test_custom_domains_are_suspicious(data: bytes) -> None:
    found = scan(H, data)
    hits = [f for f in found if f.rule_id == "onnx.custom-domain"]
    assert hits and hits[0].verdict is Verdict.SUSPICIOUS
    assert hits[0].details["producer"] == "pytorch"


@pytest.mark.parametrize(
    ("location", "why"),
    [("w.bin", None), ("sub/dir/w.bin", None), ("..", "parent-directory (..) traversal"),
     ("", "empty or NUL-containing path"), ("~/.ssh/id_rsa", "home-directory path"),
     ("a..b.bin", None)],
)  # fmt: skip
def test_classify_location(location: str, why: str | None) -> None:
    assert classify_location(location) == why


@pytest.mark.parametrize(
    "data",
    [ox.model(W)[:-5], ox.model() + b"\x0f", ox.model() + b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
     ox.model() + b"\x3a\x80\x80\x80\x80\x10"],
)  # fmt: skip
def test_malformed_models_abort(data: bytes) -> None:
    with pytest.raises(ScanAbort):
        scan(H, data, must_detect=False)


@pytest.mark.parametrize(
    "data",
    [b"\x08\x01\x12\x04\x0a\x02\x08\x01", b"\x08\x07", b"hello world", b"\x0a\x03abc\x12\x04Relu",
     b"\x08\x09\x12\x07\x00\x01\x02\x03\x04\x05\x06" + b"\x3a\x00", bytes(range(256))],
)  # fmt: skip
def test_detect_rejects_other_content(data: bytes) -> None:
    assert not H.detect(data, len(data))


def test_reordered_fields_are_still_claimed() -> None:
    """Protobuf parsers accept fields in any order, so a crafted model may put its graph first."""
    model = ox.model(pb_msg(5, ox.tensor("w", location="../../etc/passwd")))
    graph_first = ox.graph(ox.node("MatMul"), pb_msg(5, ox.tensor("w", location="/etc/passwd")))
    for data in (graph_first + model[: model.index(b"\x3a")], graph_first):
        assert H.detect(data, len(data))
        assert "onnx.external-data-traversal" in rules(scan(H, data))
