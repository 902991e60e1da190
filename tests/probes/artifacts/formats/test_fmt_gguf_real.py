"""GGUF files written by llama.cpp's own `gguf` writer (skipped when it is not installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.probes.artifacts.formats import GgufHandler
from aisec.probes.finding import Verdict

from .builders import assert_clean, rules, scan
from .templates import BENIGN, INJECTIONS

gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")
H = GgufHandler()


def write(path: Path, template: str) -> bytes:
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(2048)
    w.add_token_list(["<s>", "</s>", "hi"])
    w.add_token_scores([0.0, 0.0, -1.0])
    w.add_chat_template(template)
    w.add_tensor("token_embd.weight", np.zeros((3, 8), dtype=np.float32))
    w.add_tensor("norm.weight", np.zeros((8,), dtype=np.float16))
    q8 = np.zeros((2, 34), dtype=np.uint8)  # two Q8_0 blocks = 64 weights
    w.add_tensor("blk.0.w", q8, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_real_files_with_benign_templates_pass(tmp_path: Path, name: str) -> None:
    found = scan(H, write(tmp_path / "m.gguf", BENIGN[name]))
    assert_clean(found, "gguf.ok")
    assert found[0].details["tensors"] == 3


def test_real_file_with_injected_template_is_malicious(tmp_path: Path) -> None:
    found = scan(H, write(tmp_path / "m.gguf", INJECTIONS["lipsum-globals"]))
    assert Verdict.MALICIOUS in {f.verdict for f in found}
    assert "gguf.template-injection" in rules(found)


def test_real_file_with_truncated_tensor_data_is_flagged(tmp_path: Path) -> None:
    data = write(tmp_path / "m.gguf", BENIGN["chatml"])
    assert "gguf.tensor-out-of-range" in rules(scan(H, data[:-40]))
