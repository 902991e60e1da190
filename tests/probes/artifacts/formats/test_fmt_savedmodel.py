"""TensorFlow SavedModel / frozen GraphDef checks on protobuf messages built in memory."""

from __future__ import annotations

import json

import pytest

from aisec.probes.artifacts.formats import SavedModelHandler
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from . import keras_samples as ks
from .builders import assert_clean, pb_bytes, pb_int, pb_msg, rules, scan

H = SavedModelHandler()


def node_body(name: str, op: str, *attrs: tuple[str, str]) -> bytes:
    parts = [pb_bytes(1, name), pb_bytes(2, op), pb_bytes(3, "input:0")]
    for key, value in attrs:
        parts.append(pb_msg(5, pb_bytes(1, key), pb_msg(2, pb_bytes(2, value))))
    return b"".join(parts)


def node(name: str, op: str, *attrs: tuple[str, str]) -> bytes:
    return pb_msg(1, node_body(name, op, *attrs))


def function(name: str, *nodes: tuple[str, str]) -> bytes:
    body = pb_msg(1, pb_bytes(1, name)) + b"".join(pb_msg(3, node_body(n, op)) for n, op in nodes)
    return pb_msg(1, body)


def graph_def(*nodes: bytes, functions: tuple[bytes, ...] = ()) -> bytes:
    library = pb_msg(2, *functions) if functions else b""
    return b"".join(nodes) + library + pb_msg(4, pb_int(1, 1087))


def saved_model(graph: bytes, *extra: bytes) -> bytes:
    meta_info = pb_msg(1, pb_bytes(4, "serve"), pb_bytes(5, "2.16.1"))
    return pb_int(1, 1) + pb_msg(2, meta_info, pb_msg(2, graph), *extra)


def keras_object(config) -> bytes:
    user_object = pb_msg(4, pb_bytes(1, "_tf_keras_layer"), pb_bytes(3, json.dumps(config)))
    return pb_msg(7, pb_msg(1, user_object))


BENIGN_GRAPH = graph_def(
    node("x", "Placeholder"), node("dense/MatMul", "MatMul"), node("save/SaveV2", "SaveV2"),
    node("save/RestoreV2", "RestoreV2"), node("saver_filename", "Placeholder"),
    functions=(function("__inference__traced_save_4242", ("SaveV2", "SaveV2"),
                        ("MergeV2Checkpoints", "MergeV2Checkpoints")),
               function("__inference_serve_17", ("relu", "Relu"))),
)  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [saved_model(BENIGN_GRAPH), BENIGN_GRAPH,
     saved_model(BENIGN_GRAPH, keras_object(ks.DENSE)),
     saved_model(BENIGN_GRAPH, pb_msg(6, pb_bytes(2, "vocab.txt")))],
)  # fmt: skip
def test_benign_graphs_pass(data: bytes) -> None:
    assert_clean(scan(H, data), "savedmodel.ok")


@pytest.mark.parametrize(
    ("graph", "op", "verdict"),
    [
        (graph_def(node("x", "Placeholder"), node("py", "PyFunc")), "PyFunc", Verdict.MALICIOUS),
        (graph_def(node("e", "EagerPyFunc")), "EagerPyFunc", Verdict.MALICIOUS),
        (graph_def(node("w", "WriteFile")), "WriteFile", Verdict.MALICIOUS),
        (graph_def(node("r", "ReadFile")), "ReadFile", Verdict.SUSPICIOUS),
        (graph_def(node("m", "MatchingFiles")), "MatchingFiles", Verdict.SUSPICIOUS),
        (graph_def(node("c", "ImmutableConst", ("memory_region_name", "/etc/passwd"))),
         "ImmutableConst", Verdict.SUSPICIOUS),
        (graph_def(node("exfil/SaveV2", "SaveV2")), "SaveV2", Verdict.SUSPICIOUS),
        (graph_def(functions=(function("__inference_serve_1", ("pf", "PyFuncStateless")),)),
         "PyFuncStateless", Verdict.MALICIOUS),
        (graph_def(node("s", "CreateSummaryFileWriter")), "CreateSummaryFileWriter",
         Verdict.MALICIOUS),
    ],
)  # fmt: skip
@pytest.mark.parametrize("wrap", [True, False])
def test_dangerous_ops_are_flagged(graph: bytes, op: str, verdict: Verdict, wrap: bool) -> None:
    found = scan(H, saved_model(graph) if wrap else graph)
    hits = [f for f in found if f.rule_id == "savedmodel.dangerous-op" and f.details["op"] == op]
    assert hits and hits[0].verdict is verdict
    assert "savedmodel.ok" not in rules(found)


def test_print_to_file_is_malicious() -> None:
    graph = graph_def(node("p", "PrintV2", ("output_stream", "file:///tmp/aisec-canary")))
    found = scan(H, saved_model(graph))
    assert any(f.verdict is Verdict.MALICIOUS and "PrintV2" in f.message for f in found)


def test_print_to_stderr_passes() -> None:
    graph = graph_def(node("p", "PrintV2", ("output_stream", "stderr")))
    assert_clean(scan(H, saved_model(graph)), "savedmodel.ok")


def test_keras_lambda_in_object_graph_is_flagged() -> None:
    config = ks.lambda3(ks.EVIL_SOURCE)
    found = scan(H, saved_model(BENIGN_GRAPH, keras_object(config)))
    hits = [f for f in found if f.rule_id == "keras.lambda-layer"]
    assert hits and hits[0].verdict is Verdict.MALICIOUS


def test_custom_ops_and_asset_paths_are_flagged() -> None:
    graph = graph_def(node("g", "Addons>GeluGrad"))
    found = scan(H, saved_model(graph, pb_msg(6, pb_bytes(2, "../../etc/passwd"))))
    assert {"savedmodel.custom-op", "savedmodel.asset-path"} <= rules(found)


@pytest.mark.parametrize(
    "data",
    [saved_model(BENIGN_GRAPH)[:-7], BENIGN_GRAPH[:-3], saved_model(BENIGN_GRAPH) + b"\x0b",
     saved_model(BENIGN_GRAPH, keras_object(ks.DENSE))[:-1]],
)  # fmt: skip
def test_malformed_graphs_abort(data: bytes) -> None:
    with pytest.raises(ScanAbort):
        scan(H, data, must_detect=False)


@pytest.mark.parametrize(
    "data",
    [b"\x08\x07\x12\x07pytorch", b"\x0a\x03a b\x12\x04Relu", b"\x0a\x01x\x12\x01\x01",
     b"\x08\x01\x12\x02\x08\x01", b"GGUF\x03\0\0\0", b'{"a": 1}'],
)  # fmt: skip
def test_detect_rejects_other_content(data: bytes) -> None:
    assert not H.detect(data, len(data))


def keras_metadata_file(*configs) -> bytes:
    nodes = []
    for i, config in enumerate(configs):
        nodes.append(pb_msg(1, pb_msg(1, pb_int(1, 1)), pb_int(2, i), pb_bytes(3, f"root.l{i}"),
                            pb_bytes(4, "_tf_keras_layer"), pb_bytes(5, json.dumps(config))))  # fmt: skip
    return b"".join(nodes)


def test_keras_metadata_file_passes_when_benign() -> None:
    found = scan(H, keras_metadata_file(ks.DENSE, ks.DENSE))
    assert_clean(found, "savedmodel.ok")
    assert found[0].details["keras_metadata_objects"] == 2


def test_keras_metadata_file_with_lambda_is_flagged() -> None:
    found = scan(H, keras_metadata_file(ks.DENSE, ks.legacy_lambda(ks.EVIL_SOURCE)))
    assert [f.verdict for f in found if f.rule_id == "keras.lambda-layer"] == [Verdict.MALICIOUS]


def test_fingerprint_file_is_recognised() -> None:
    data = b"".join(pb_int(i, (0x9E3779B97F4A7C15 * i) % (1 << 64)) for i in range(1, 6))
    data += pb_msg(6, pb_int(1, 1))
    found = scan(H, data)
    assert [(f.rule_id, f.verdict) for f in found] == [("savedmodel.fingerprint", Verdict.PASS)]
    assert not H.detect(data[:-1], len(data) - 1)


def test_saved_model_without_version_field_is_still_walked() -> None:
    """TF always writes the schema version, but a crafted file can omit it (proto3 default)."""
    meta_info = pb_msg(1, pb_bytes(1, "v1"), pb_bytes(4, "serve"))  # identifier-like version
    data = pb_msg(2, meta_info, pb_msg(2, graph_def(node("py", "PyFunc"))))
    assert H.detect(data, len(data))
    found = scan(H, data)
    assert any(f.rule_id == "savedmodel.dangerous-op" and f.details["op"] == "PyFunc"
               for f in found)  # fmt: skip


def const_string(name: str, value: str) -> bytes:
    tensor = pb_int(1, 7) + pb_msg(2) + pb_bytes(8, value)  # DT_STRING scalar
    attr = pb_msg(5, pb_bytes(1, "value"), pb_msg(2, pb_msg(8, tensor)))
    return pb_msg(1, pb_bytes(1, name), pb_bytes(2, "Const"), attr)


def test_constant_paths_feeding_file_ops_are_named() -> None:
    reader = pb_msg(1, pb_bytes(1, "read"), pb_bytes(2, "ReadFile"), pb_bytes(3, "path:0"))
    graph = graph_def(reader, const_string("path", "/etc/passwd"), const_string("x", "hello"))
    found = scan(H, saved_model(graph))
    hit = next(f for f in found if f.rule_id == "savedmodel.dangerous-op")
    assert hit.details["paths"] == ["/etc/passwd"] and "/etc/passwd" in hit.message
