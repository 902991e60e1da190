"""Property tests: hostile bytes never crash a handler (only ScanAbort) nor hang it."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec.probes.artifacts import formats
from aisec.probes.artifacts.formats.chat_template import analyse_template
from aisec.probes.artifacts.formats.keras_config import analyse_config
from aisec.probes.artifacts.interface import HEAD_BYTES, ScanAbort
from aisec.probes.finding import Verdict

from . import keras_samples as ks
from . import onnx_samples as ox
from .builders import STRING, context, gguf, pb_msg, safetensors, tensor
from .templates import BENIGN, INJECTIONS
from .test_fmt_savedmodel import BENIGN_GRAPH, saved_model

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HANDLERS = [getattr(formats, name)() for name in formats.__all__]
SEEDS = {
    "SafetensorsHandler": safetensors(
        {"__metadata__": {"a": "b"}, "w": tensor("F32", [2, 2], 0, 16)}, bytes(16)
    ),
    "GgufHandler": gguf(
        [("tokenizer.chat_template", STRING, BENIGN["chatml"]), ("general.alignment", 4, 32)],
        [("w", [4], 0, 0)],
    ),
    "OnnxHandler": ox.model(
        ox.node("If", "", ox.subgraph_attr(ox.node("Relu"))),
        pb_msg(5, ox.tensor("w", location="w.bin")),
    ),  # fmt: skip
    "SavedModelHandler": saved_model(BENIGN_GRAPH),
    "KerasConfigHandler": json.dumps(ks.BENIGN).encode(),
    "HfConfigHandler": json.dumps(
        {"tokenizer_class": "X", "chat_template": BENIGN["chatml"], "auto_map": {"A": "m.C"}}
    ).encode(),
}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=40,
)


def run(handler, data: bytes) -> None:
    ctx = context()
    try:
        handler.scan(io.BytesIO(data), len(data), ctx)
    except ScanAbort:
        return
    assert ctx.findings, "a scan that does not abort must report something"


@FUZZ
@given(data=st.binary(max_size=600))
def test_detect_never_raises(data: bytes) -> None:
    for handler in HANDLERS:
        assert handler.detect(data[:HEAD_BYTES], len(data)) in (True, False)


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
       cut=st.integers(0, 10_000))  # fmt: skip
def test_mutated_samples_only_abort(name: str, edits, cut: int) -> None:
    data = bytearray(SEEDS[name])
    for pos, value in edits:
        data[pos % len(data)] = value
    handler = getattr(formats, name)()
    run(handler, bytes(data[: max(1, cut % (len(data) + 1))]))


@pytest.mark.parametrize("name", ["OnnxHandler", "SavedModelHandler", "GgufHandler",
                                  "SafetensorsHandler"])  # fmt: skip
@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_only_abort(name: str, data: bytes) -> None:
    prefix = {"GgufHandler": b"GGUF\x03\0\0\0", "SafetensorsHandler": b""}.get(name, b"")
    run(getattr(formats, name)(), prefix + data)


@FUZZ
@given(header=JSON, data=st.binary(max_size=64))
def test_safetensors_any_json_header(header, data: bytes) -> None:
    run(formats.SafetensorsHandler(), safetensors(json.dumps(header), data))


@FUZZ
@given(tree=JSON)
def test_keras_analyser_accepts_any_json(tree) -> None:
    for issue in analyse_config({"class_name": "X", "config": tree, "module": "keras"}):
        assert issue.verdict is not Verdict.PASS


@FUZZ
@given(source=st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["{{", "}}", "{%", "%}", "x", ".", "__class__", "|attr(", "'",
                              ")", "(", "~", "+", "[", "]", "for", "in", "endfor", "set", "="]),
             max_size=40).map("".join),
))  # fmt: skip
def test_template_analyser_never_raises(source: str) -> None:
    for issue in analyse_template(source):
        assert issue.verdict in (Verdict.MALICIOUS, Verdict.SUSPICIOUS)


@FUZZ
@given(name=st.sampled_from(sorted(INJECTIONS)), pad=st.text(max_size=30))
def test_injections_survive_surrounding_text(name: str, pad: str) -> None:
    source = pad.replace("{", "").replace("%", "") + INJECTIONS[name]
    assert any(i.verdict is Verdict.MALICIOUS for i in analyse_template(source))
