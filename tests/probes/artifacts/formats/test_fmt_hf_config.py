"""Hugging Face configs, tokenizer configs, shard indexes and chat-template files."""

from __future__ import annotations

import json

import pytest

from aisec.probes.artifacts.formats import HfConfigHandler
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from .builders import assert_clean, rules, scan
from .templates import BENIGN, INJECTIONS

H = HfConfigHandler()
CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
          "transformers_version": "4.46.0"}  # fmt: skip
TOKENIZER = {
    "added_tokens_decoder": {"0": {"content": "<s>", "special": True}},
    "bos_token": "<s>",
    "eos_token": "</s>",
    "model_max_length": 4096,
    "tokenizer_class": "LlamaTokenizer",
}
INDEX = {"metadata": {"total_size": 16},
         "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                        "b.weight": "model-00002-of-00002.safetensors"}}  # fmt: skip


def dump(tree) -> bytes:
    return json.dumps(tree, indent=2).encode()


@pytest.mark.parametrize(
    "data",
    [dump(CONFIG), dump(TOKENIZER), dump({**TOKENIZER, "chat_template": BENIGN["header-style"]}),
     dump({**TOKENIZER, "chat_template": [{"name": "default", "template": BENIGN["chatml"]},
                                          {"name": "tool_use", "template": BENIGN["inst-style"]}]}),
     dump(INDEX), dump({"eos_token": "</s>", "bos_token": "<s>"}),
     BENIGN["thinking-style"].encode(), BENIGN["turn-style"].encode()],
)  # fmt: skip
def test_benign_files_pass(data: bytes) -> None:
    assert_clean(scan(H, data), "hf.ok")


def test_remote_code_is_suspicious() -> None:
    tree = {**CONFIG, "auto_map": {"AutoConfig": "configuration_x.XConfig",
                                   "AutoModel": "other/repo--modeling_x.XModel"}}  # fmt: skip
    found = scan(H, dump(tree))
    hits = [f for f in found if f.rule_id == "hf.remote-code"]
    assert hits and hits[0].verdict is Verdict.SUSPICIOUS
    assert "other repositories" in hits[0].message
    assert hits[0].details["count"] == 2


@pytest.mark.parametrize(
    "data",
    [dump({**TOKENIZER, "chat_template": INJECTIONS["lipsum-globals"]}),
     dump({**TOKENIZER, "chat_template": [{"name": "rag", "template": INJECTIONS["attr-filter"]}]}),
     ("{% for message in messages %}" + INJECTIONS["cycler-globals"] + "{% endfor %}").encode()],
)  # fmt: skip
def test_template_injection_is_malicious(data: bytes) -> None:
    found = scan(H, data)
    assert any(f.rule_id == "hf.template-injection" and f.verdict is Verdict.MALICIOUS
               for f in found)  # fmt: skip
    assert "hf.ok" not in rules(found)


def test_index_traversal_is_malicious() -> None:
    tree = {"weight_map": {"a": "model.safetensors", "b": "../../home/user/.ssh/id_rsa"}}
    found = scan(H, dump(tree))
    assert [f.verdict for f in found if f.rule_id == "hf.index-traversal"] == [Verdict.MALICIOUS]


@pytest.mark.parametrize(
    "data",
    [b'{"model_type": "llama", ', b'{"model_type": 1, "chat_template": 5}',
     b'{"model_type": "x"} trailing'],
)  # fmt: skip
def test_malformed_configs_abort(data: bytes) -> None:
    with pytest.raises(ScanAbort):
        scan(H, data, must_detect=False)


@pytest.mark.parametrize(
    "data",
    [b'{"name": "pkg", "version": "1"}', b"plain text mentioning messages",
     b'{"class_name": "Dense", "config": {}, "model_type": "x"}', b"<html>{{ x }}</html>",
     b"\x80\x04{% for message in messages %}"],
)  # fmt: skip
def test_other_content_is_not_claimed(data: bytes) -> None:
    assert not H.detect(data, len(data))
