"""End to end through the scan service: files on disk, routed by content, named arbitrarily."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from aisec.probes.artifacts import formats
from aisec.probes.artifacts.registry import default_handlers
from aisec.probes.artifacts.result import FileVerdict
from aisec.probes.artifacts.service import scan_paths

from . import keras_samples as ks
from . import onnx_samples as ox
from .builders import STRING, gguf, pb_msg, safetensors, tensor
from .templates import BENIGN, INJECTIONS
from .test_fmt_hf_config import CONFIG, INDEX, TOKENIZER
from .test_fmt_savedmodel import BENIGN_GRAPH, graph_def, node, saved_model


def keras_archive(config) -> bytes:
    import io

    h5py = pytest.importorskip("h5py")
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        f.create_group("layers/dense/vars")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.6.0", "date_saved": "x"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights.getvalue())
    return buf.getvalue()


def legacy_h5(config) -> bytes:
    import io

    h5py = pytest.importorskip("h5py")
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.create_dataset("model_weights/d/kernel:0", data=[[0.0] * 4] * 4)
    return buf.getvalue()


SAMPLES = {
    "safetensors": (safetensors({"w": tensor("F32", [2], 0, 8)}, bytes(8)),
                    safetensors({"a": tensor("F32", [2], 0, 8), "b": tensor("F32", [2], 4, 12)},
                                bytes(12))),
    "gguf": (gguf([("tokenizer.chat_template", STRING, BENIGN["header-style"])]),
             gguf([("tokenizer.chat_template", STRING, INJECTIONS["cycler-globals"])])),
    "onnx": (ox.model(), ox.model(pb_msg(5, ox.tensor("w", location="../../etc/passwd")))),
    "savedmodel": (saved_model(BENIGN_GRAPH), saved_model(graph_def(node("p", "PyFunc")))),
    "hdf5": (legacy_h5(ks.legacy(ks.LEGACY_DENSE)),
             legacy_h5(ks.legacy(ks.legacy_lambda(ks.EVIL_SOURCE)))),
    "keras": (keras_archive(ks.BENIGN), keras_archive(ks.model(ks.lambda3(ks.EVIL_SOURCE)))),
}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_benign_and_malicious_files_end_to_end(tmp_path: Path, fmt: str) -> None:
    good, bad = SAMPLES[fmt]
    (tmp_path / "good.bin").write_bytes(good)  # names carry no format hint
    (tmp_path / "bad.dat").write_bytes(bad)
    result = scan_paths([tmp_path])
    by_name = {Path(r.path).name: r for r in result.files}
    assert by_name["good.bin"].verdict is FileVerdict.CLEAN, by_name["good.bin"].findings
    assert by_name["bad.dat"].verdict is FileVerdict.MALICIOUS, by_name["bad.dat"].findings
    assert all(f.sha256 == by_name["bad.dat"].sha256 for f in by_name["bad.dat"].findings)


def test_keras_findings_name_the_archive_member(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    path.write_bytes(keras_archive(ks.model(ks.lambda3(ks.EVIL_SOURCE))))
    findings = scan_paths([path]).files[0].findings
    lam = [f for f in findings if f.rule_id == "keras.lambda-layer"]
    assert lam and lam[0].location.endswith("config.json")


def test_hugging_face_model_folder_is_clean(tmp_path: Path) -> None:
    registered = default_handlers()
    names = {h.name for h in registered}
    handlers = registered + [
        h for h in (getattr(formats, n)() for n in formats.__all__) if h.name not in names
    ]
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    (tmp_path / "generation_config.json").write_text(
        json.dumps({"bos_token_id": 1, "transformers_version": "4.46.0"})
    )
    (tmp_path / "tokenizer_config.json").write_text(
        json.dumps({**TOKENIZER, "chat_template": BENIGN["header-style"]})
    )
    (tmp_path / "chat_template.jinja").write_text(BENIGN["thinking-style"])
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(INDEX))
    for i in (1, 2):
        shard = safetensors({"w": tensor("F16", [4], 0, 8)}, bytes(8))
        (tmp_path / f"model-0000{i}-of-00002.safetensors").write_bytes(shard)
    result = scan_paths([tmp_path], handlers=handlers)
    assert {Path(r.path).name: r.verdict for r in result.files} == {
        name: FileVerdict.CLEAN for name in (p.name for p in tmp_path.iterdir())
    }
