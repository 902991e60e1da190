"""TensorFlow graphs against the op allow-list generated from TensorFlow's op registry, and the
committed SavedModels/GraphDefs TensorFlow itself wrote (tools/gen_tf_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.probes.artifacts.formats import SavedModelHandler
from aisec.probes.artifacts.formats.tf_ops import COMPUTE_OPS, DANGEROUS_OPS, TF_VERSION, OpRisk
from aisec.probes.artifacts.service import scan_paths
from aisec.probes.finding import Verdict

from .builders import assert_clean, pb_bytes, pb_int, pb_msg, scan
from .test_fmt_savedmodel import BENIGN_GRAPH, const_string, graph_def, node, saved_model

H = SavedModelHandler()
TF_FIXTURES = Path(__file__).parents[1] / "fixtures" / "tf"


def test_generated_lists_come_from_the_registry() -> None:
    assert TF_VERSION.startswith("2.")
    assert len(COMPUTE_OPS) > 1500  # the whole registry, not a hand-picked list
    assert {"MatMul", "Conv2D", "StatefulPartitionedCall", "LookupTableImportV2"} <= COMPUTE_OPS
    expected = {
        "PyFunc": OpRisk.CODE,
        "WriteFile": OpRisk.WRITE,
        "ReadFile": OpRisk.READ,
        "MatchingFiles": OpRisk.READ,
        "InitializeTableFromTextFileV2": OpRisk.READ,
        "TFRecordDataset": OpRisk.READ,
        "RpcClient": OpRisk.NETWORK,
        "SaveV2": OpRisk.SAVER,
    }
    assert {op: DANGEROUS_OPS[op] for op in expected} == expected
    assert not COMPUTE_OPS & DANGEROUS_OPS.keys()


@pytest.mark.parametrize("op", ["EvilKernel", "Addons>GeluGrad", "MatMulX", "pyfunc"])
def test_ops_tensorflow_does_not_register_are_flagged(op: str) -> None:
    graph = graph_def(node("x", "Placeholder"), node("k", op), node("m", "MatMul"))
    found = scan(H, saved_model(graph))
    hits = [f for f in found if f.rule_id == "savedmodel.custom-op"]
    assert hits and hits[0].verdict is Verdict.SUSPICIOUS
    assert repr(op) in hits[0].message and hits[0].details["nodes"] == ["k"]


def test_calls_of_the_graphs_own_functions_are_not_unknown_ops() -> None:
    fn = pb_msg(
        1, pb_msg(1, pb_bytes(1, "my_block")) + pb_msg(3, pb_bytes(1, "r"), pb_bytes(2, "Relu"))
    )
    graph = graph_def(node("call", "my_block"), functions=(fn,))
    assert_clean(scan(H, graph), "savedmodel.ok")


def _table_init(source: str) -> bytes:
    body = pb_bytes(1, "init") + pb_bytes(2, "InitializeTableFromTextFileV2")
    return body + pb_bytes(3, "table") + pb_bytes(3, source)


def test_table_initialiser_reading_a_constant_path_is_flagged() -> None:
    graph = graph_def(pb_msg(1, _table_init("vocab:0")), const_string("vocab", "/etc/passwd"))
    found = scan(H, saved_model(graph))
    hit = next(f for f in found if f.rule_id == "savedmodel.dangerous-op")
    assert hit.verdict is Verdict.SUSPICIOUS and hit.details["paths"] == ["/etc/passwd"]


def test_table_initialiser_fed_by_a_tf1_asset_tensor_passes() -> None:
    graph = graph_def(pb_msg(1, _table_init("asset_path:0")), node("asset_path", "Placeholder"))
    asset = pb_msg(6, pb_msg(1, pb_bytes(1, "asset_path:0")), pb_bytes(2, "vocab.txt"))
    assert_clean(scan(H, saved_model(graph, asset)), "savedmodel.ok")
    flagged = scan(H, saved_model(graph))  # the same graph without the AssetFileDef
    assert any(f.rule_id == "savedmodel.dangerous-op" for f in flagged)


def _tf2_model(bound_kind: int) -> bytes:
    """An initialiser function whose file-name argument is a capture bound to object 0."""
    sig = pb_msg(1, pb_bytes(1, "__inference__initializer_7"), pb_msg(2, pb_bytes(1, "path")),
                 pb_msg(2, pb_bytes(1, "table")))  # fmt: skip
    fn = pb_msg(1, sig + pb_msg(3, _table_init("path")))
    graph = graph_def(node("x", "Placeholder"), functions=(fn,))
    bound = pb_msg(
        2, pb_bytes(1, "__inference__initializer_7"), pb_msg(2, pb_int(2, 0), pb_int(2, 1))
    )
    objects = pb_msg(7, pb_msg(1, pb_msg(bound_kind)), pb_msg(1, pb_msg(10)), bound)
    return saved_model(graph, objects)


def test_tf2_table_initialiser_bound_to_an_asset_passes_and_to_a_constant_is_flagged() -> None:
    assert_clean(scan(H, _tf2_model(5)), "savedmodel.ok")  # SavedObject.asset = 5
    found = scan(H, _tf2_model(9))  # SavedObject.constant = 9
    assert any(
        f.rule_id == "savedmodel.dangerous-op"
        and f.details["op"] == "InitializeTableFromTextFileV2"
        for f in found
    )


def test_benign_graph_of_the_older_tests_still_passes() -> None:
    assert_clean(scan(H, saved_model(BENIGN_GRAPH)), "savedmodel.ok")


@pytest.mark.parametrize("path", sorted(TF_FIXTURES.glob("*.pb")), ids=lambda p: p.name)
def test_files_tensorflow_wrote_are_clean(path: Path) -> None:
    result = scan_paths([path]).files[0]
    bad = [f for f in result.findings if f.verdict != "pass"]
    assert result.verdict == "clean", bad
    assert any(f.rule_id.startswith("savedmodel.") for f in result.findings)


def test_tensorflow_written_graph_with_an_unknown_op_is_flagged(tmp_path: Path) -> None:
    """The real Keras export with one op renamed to a name TensorFlow does not register."""
    data = (TF_FIXTURES / "keras-export-saved_model.pb").read_bytes()
    assert data.count(b"\x12\x04Relu") >= 1
    evil = tmp_path / "saved_model.pb"
    evil.write_bytes(data.replace(b"\x12\x04Relu", b"\x12\x04Relz", 1))
    found = scan_paths([evil]).files[0].findings
    assert any(f.rule_id == "savedmodel.custom-op" and "'Relz'" in f.message for f in found)
