"""GGUF header parsing and chat-template inspection on files built in memory."""

from __future__ import annotations

import struct

import pytest

from aisec.probes.artifacts.formats import GgufHandler
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from .builders import ARRAY, STRING, UINT32, assert_clean, gguf, rules, scan
from .templates import BENIGN, INJECTIONS

H = GgufHandler()
BASE_KV = [
    ("general.architecture", STRING, "llama"),
    ("general.alignment", UINT32, 32),
    ("tokenizer.ggml.tokens", ARRAY, (STRING, ["<s>", "</s>", "hello", "world"])),
    ("tokenizer.ggml.scores", ARRAY, (6, [0.0, 0.0, -1.0, -2.0])),
    ("llama.context_length", UINT32, 4096),
]
TENSORS = [("tok_embd.weight", [4, 8], 0, 0), ("output.weight", [8, 4], 1, 128)]


@pytest.mark.parametrize("name", sorted(BENIGN))
@pytest.mark.parametrize("version", [1, 2, 3])
def test_benign_models_pass(name: str, version: int) -> None:
    data = gguf([*BASE_KV, ("tokenizer.chat_template", STRING, BENIGN[name])], TENSORS,
                version=version)  # fmt: skip
    found = scan(H, data)
    assert_clean(found, "gguf.ok")
    assert found[0].details["chat_templates"] == ["tokenizer.chat_template"]


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_template_injection_is_malicious(name: str) -> None:
    data = gguf([*BASE_KV, ("tokenizer.chat_template", STRING, INJECTIONS[name])], TENSORS)
    found = scan(H, data)
    bad = [f for f in found if f.rule_id == "gguf.template-injection"]
    assert bad and all(f.verdict is Verdict.MALICIOUS for f in bad)
    assert bad[0].details["where"] == "tokenizer.chat_template"
    assert "gguf.ok" not in rules(found)


def test_named_templates_are_inspected_too() -> None:
    kv = [*BASE_KV, ("tokenizer.chat_template", STRING, BENIGN["chatml"]),
          ("tokenizer.chat_template.tool_use", STRING, INJECTIONS["lipsum-globals"])]  # fmt: skip
    found = scan(H, gguf(kv, TENSORS))
    assert any(f.details.get("where") == "tokenizer.chat_template.tool_use" for f in found)


def test_model_without_template_passes() -> None:
    assert_clean(scan(H, gguf(BASE_KV, TENSORS)), "gguf.ok")


def test_big_endian_file_is_parsed() -> None:
    data = b"GGUF" + struct.pack(">I", 3) + struct.pack(">QQ", 0, 1)
    data += struct.pack(">Q", 3) + b"key" + struct.pack(">I", 4) + struct.pack(">I", 7)
    assert_clean(scan(H, data), "gguf.ok")


@pytest.mark.parametrize(
    ("tensors", "rule"),
    [
        ([("a", [8], 0, 0), ("b", [8], 0, 16)], "gguf.tensor-overlap"),
        ([("a", [1 << 20], 0, 0)], "gguf.tensor-out-of-range"),
        ([("a", [8], 0, 3)], "gguf.tensor-invalid"),
        ([("a", [33], 2, 0)], "gguf.tensor-invalid"),
    ],
)
def test_inconsistent_tensor_tables_are_flagged(tensors, rule) -> None:
    found = scan(H, gguf(BASE_KV, tensors, data=bytes(64)))
    assert rule in rules(found)
    assert "gguf.ok" not in rules(found)


def test_duplicate_key_is_flagged() -> None:
    kv = [*BASE_KV, ("general.architecture", STRING, "other")]
    assert "gguf.duplicate-key" in rules(scan(H, gguf(kv)))


def test_oversized_template_is_not_silently_skipped() -> None:
    kv = [("tokenizer.chat_template", STRING, "x" * (2 << 20))]
    assert "gguf.template-invalid" in rules(scan(H, gguf(kv)))


@pytest.mark.parametrize(
    "data",
    [
        gguf(BASE_KV, TENSORS)[:40],  # truncated metadata
        b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 40),  # huge key length
        b"GGUF" + struct.pack("<IQQ", 3, 1 << 40, 0),  # absurd tensor count
        b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1) + b"k"
        + struct.pack("<I", 99),  # unknown value type
        b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + struct.pack("<Q", 1) + b"t"
        + struct.pack("<I", 100),  # too many dimensions
        b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1) + b"k"
        + struct.pack("<IIQ", 9, 8, 1 << 50),  # array longer than the file
    ],
)  # fmt: skip
def test_malformed_files_abort(data: bytes) -> None:
    with pytest.raises(ScanAbort):
        scan(H, data)


@pytest.mark.parametrize("data", [b"GGUF", b"GGUF\x07\0\0\0", b"GGML\x03\0\0\0", b"\0" * 16])
def test_detect_rejects_other_content(data: bytes) -> None:
    assert not H.detect(data, len(data))


def test_repeated_template_key_has_both_copies_inspected() -> None:
    kv = [("tokenizer.chat_template", STRING, INJECTIONS["eval-call"]),
          ("tokenizer.chat_template", STRING, BENIGN["chatml"])]  # fmt: skip
    found = scan(H, gguf(kv))
    assert {"gguf.duplicate-key", "gguf.template-injection"} <= rules(found)


def test_newer_tensor_types_pass_but_are_listed_as_unchecked() -> None:
    found = scan(H, gguf(BASE_KV, [("w", [64], 41, 0)], data=bytes(64)))
    assert_clean(found, "gguf.ok")
    assert found[0].details["unchecked_tensor_types"] == [41]
