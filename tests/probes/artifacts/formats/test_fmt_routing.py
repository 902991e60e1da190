"""Content routing: the registry routes each sample to its own handler, and (but for a\nsafetensors file whose header length reads as a pickle opening) no other handler claims it."""

from __future__ import annotations

import json

import pytest

from aisec.probes.artifacts import formats
from aisec.probes.artifacts.interface import HEAD_BYTES
from aisec.probes.artifacts.registry import default_handlers

from . import keras_samples as ks
from . import onnx_samples as ox
from .builders import STRING, gguf, pb_int, pb_msg, safetensors, tensor
from .templates import BENIGN
from .test_fmt_hf_config import CONFIG, INDEX, TOKENIZER
from .test_fmt_savedmodel import BENIGN_GRAPH, keras_metadata_file, saved_model

SAMPLES = {
    "safetensors": safetensors({"w": tensor("F32", [64], 0, 256)}, bytes(256)),
    # a header of 0x0280 bytes makes the file start with 80 02, a pickle protocol-2 marker
    "safetensors-0x80": safetensors(
        json.dumps({"w": tensor("F32", [2], 0, 8)}).ljust(0x280), bytes(8), pad=False
    ),
    "gguf": gguf([("tokenizer.chat_template", STRING, BENIGN["chatml"])]),
    "onnx": ox.model(),
    "tf-savedmodel": saved_model(BENIGN_GRAPH),
    "tf-graphdef": BENIGN_GRAPH,
    "tf-keras-metadata": keras_metadata_file(ks.DENSE),
    "tf-fingerprint": b"".join(pb_int(i, (1 << 62) + i) for i in range(1, 6))
    + pb_msg(6, pb_int(1, 1)),
    "keras-config": json.dumps(ks.BENIGN).encode(),
    "keras-legacy": json.dumps(ks.legacy(ks.LEGACY_DENSE)).encode(),
    "keras-metadata": b'{"keras_version": "3.6.0", "date_saved": "2026-01-01"}',
    "hf-config": json.dumps(CONFIG).encode(),
    "hf-tokenizer": json.dumps({**TOKENIZER, "chat_template": BENIGN["chatml"]}).encode(),
    "hf-index": json.dumps(INDEX).encode(),
    "hf-template": BENIGN["header-style"].encode(),
}
OWNER = {"safetensors-0x80": "safetensors", "tf-graphdef": "tf-savedmodel",
         "tf-keras-metadata": "tf-savedmodel", "tf-fingerprint": "tf-savedmodel",
         "keras-legacy": "keras-config", "keras-metadata": "keras-config",
         "hf-tokenizer": "hf-config", "hf-index": "hf-config", "hf-template": "hf-config"}  # fmt: skip


def handlers():
    """The registry plus any handler of this package it does not list yet, appended."""
    registered = default_handlers()
    names = {h.name for h in registered}
    extra = [getattr(formats, n)() for n in formats.__all__]
    return registered + [h for h in extra if h.name not in names]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_owner_is_routed_first(name: str) -> None:
    data = SAMPLES[name]
    claims = [h.name for h in handlers() if h.detect(data[:HEAD_BYTES], len(data))]
    assert claims[:1] == [OWNER.get(name, name)]
    if name != "safetensors-0x80":  # its first bytes are also a valid pickle opening
        assert len(claims) == 1, claims


def test_pickle_lookalike_sample_really_starts_like_a_pickle() -> None:
    assert SAMPLES["safetensors-0x80"][:2] == b"\x80\x02"


def test_random_bytes_are_not_claimed() -> None:
    """Raw tensor shards (SavedModel variables, .bin blobs) look random: none may be claimed,
    or they would end as scan errors instead of honest not-scanned."""
    import random

    rnd = random.Random(1234)
    mine = [getattr(formats, n)() for n in formats.__all__]
    for i in range(5000):
        data = bytes([rnd.choice([0x08, 0x0A, 0x12, 0x3A, 0x42])]) + rnd.randbytes(64 + i % 900)
        claims = [h.name for h in mine if h.detect(data[:HEAD_BYTES], len(data))]
        assert claims == [], (claims, data[:16])
