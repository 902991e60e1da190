"""Keras v3 config.json / metadata.json analysis."""

from __future__ import annotations

import json

import pytest

from aisec.probes.artifacts.formats import KerasConfigHandler
from aisec.probes.artifacts.interface import ScanAbort
from aisec.probes.finding import Verdict

from . import keras_samples as ks
from .builders import assert_clean, rules, scan

H = KerasConfigHandler()


def dump(tree) -> bytes:
    return json.dumps(tree, indent=2).encode()


@pytest.mark.parametrize("tree", [ks.BENIGN, ks.HUB, ks.legacy(ks.LEGACY_DENSE)])
def test_benign_configs_pass(tree) -> None:
    assert_clean(scan(H, dump(tree)), "keras.ok")


def test_metadata_json_is_claimed_and_passes() -> None:
    data = dump({"keras_version": "3.6.0", "date_saved": "2026-01-01@00:00:00"})
    found = scan(H, data)
    assert_clean(found, "keras.metadata")


def _cases():
    return [
        (ks.model(ks.lambda3(ks.EVIL_SOURCE)), "keras.lambda-layer", Verdict.MALICIOUS),
        (ks.model(ks.lambda3(ks.PLAIN_SOURCE)), "keras.lambda-layer", Verdict.SUSPICIOUS),
        (ks.model(ks.obj("Dense", {"units": 1, "activation": ks.fn("os", "system")})),
         "keras.untrusted-module", Verdict.MALICIOUS),
        (ks.model(ks.obj("Dense", {"units": 1, "activation": ks.fn("builtins", "exec")})),
         "keras.untrusted-module", Verdict.MALICIOUS),
        (ks.model(ks.obj("FancyDense", {"units": 1}, "acme_layers.core")),
         "keras.untrusted-module", Verdict.SUSPICIOUS),
        (ks.model(ks.obj("Dense", {"units": 1, "activation": ks.fn("keras.utils", "get_file")})),
         "keras.dangerous-function", Verdict.MALICIOUS),
        (ks.model(ks.fn("keras.src.saving.saving_api", "load_model")),
         "keras.dangerous-function", Verdict.MALICIOUS),
        (ks.model(ks.obj("TFSMLayer", {"filepath": "/srv/other_model", "call_endpoint": "serve"})),
         "keras.tfsm-layer", Verdict.SUSPICIOUS),
        (ks.model(ks.obj("TFSMLayer", {"filepath": "gs://bucket/evil", "call_endpoint": "serve"})),
         "keras.tfsm-layer", Verdict.MALICIOUS),
        (ks.legacy(ks.legacy_lambda(ks.EVIL_SOURCE)), "keras.lambda-layer", Verdict.MALICIOUS),
        (ks.legacy({"class_name": "Lambda", "config": {"function": "system", "module": "posix",
                                                       "function_type": "function"}}),
         "keras.untrusted-module", Verdict.MALICIOUS),
        (ks.model(ks.obj("Dense", {"units": 1}, "keras.layers;os")),
         "keras.untrusted-module", Verdict.SUSPICIOUS),
        (ks.model({**ks.obj("Fancy", {}, None), "registered_name": "acme>Fancy"}),
         "keras.custom-object", Verdict.SUSPICIOUS),
    ]  # fmt: skip


@pytest.mark.parametrize(("tree", "rule", "verdict"), _cases())
def test_dangerous_references_are_flagged(tree, rule, verdict) -> None:
    found = scan(H, dump(tree))
    hits = [f for f in found if f.rule_id == rule]
    assert hits and hits[0].verdict is verdict, found
    assert "keras.ok" not in rules(found)
    assert hits[0].details["path"].startswith("$")


def test_lambda_finding_describes_the_bytecode() -> None:
    found = scan(H, dump(ks.model(ks.lambda3(ks.EVIL_SOURCE))))
    details = found[0].details
    assert {"os", "system", "__import__"} <= set(details["dangerous_names"])
    assert details["cve"] == "CVE-2024-3660" and len(details["bytecode_sha256"]) == 64


@pytest.mark.parametrize(
    "data",
    [b'{"class_name": "Sequential", "config": {', b'{"class_name": "X", "config": 1, "a": \xff}',
     b'{"class_name": "X", "config": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     b'{"keras_versio": 1, "class_name": 2}'],
)  # fmt: skip
def test_malformed_json_aborts(data: bytes) -> None:
    with pytest.raises(ScanAbort):
        scan(H, data, must_detect=False)


@pytest.mark.parametrize(
    "data",
    [b'{"name": "package", "version": "1.0"}', b"[1, 2, 3]", b'{"config": {"a": 1}}',
     b"\x80\x04K\x01.", b'{"__metadata__": {"class_name": 1}}'],
)  # fmt: skip
def test_other_json_is_not_claimed(data: bytes) -> None:
    assert not H.detect(data, len(data))
