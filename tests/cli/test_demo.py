"""`aisec demo`, the main job: five reports, a portfolio page, evidence that moves risk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec.common.exitcodes import ExitCode
from demo_once import demo_once

SYSTEMS = ["email-agent", "fraud-classifier", "rag-assistant", "recommender", "vendor-finetune-api"]


@pytest.fixture(scope="module")
def demo_out() -> Path:
    code, out = demo_once()  # one demo run per session, shared with the docs test
    assert code == ExitCode.OK
    return out


def test_every_example_gets_every_report(demo_out: Path) -> None:
    for system in SYSTEMS:
        for suffix in (".html", ".json", ".md", "-risk-register.csv"):
            assert (demo_out / f"{system}{suffix}").stat().st_size > 1000, (system, suffix)
    index = (demo_out / "index.html").read_text()
    for system in SYSTEMS:
        assert f'href="{system}.html"' in index


def test_probe_evidence_is_attached_and_counts(demo_out: Path) -> None:
    agent = json.loads((demo_out / "email-agent.json").read_text())
    assert any(f.endswith("email-agent-probe.json") for f in agent["evidence_files"])
    demonstrated = [r for r in agent["risks"] if r["demonstrated_by"]]
    assert demonstrated, "the guarded reference target lets some attacks through"
    assert all(r["residual_likelihood"] >= 4 for r in demonstrated)
    html = (demo_out / "email-agent.html").read_text()
    assert "aisec-probe" in html or "LLM" in html


def test_scan_evidence_verifies_the_fraud_model_file(demo_out: Path) -> None:
    fraud = json.loads((demo_out / "fraud-classifier.json").read_text())
    assert any(f.endswith("fraud-classifier-scan.json") for f in fraud["evidence_files"])
    scan = json.loads((demo_out / "evidence" / "fraud-classifier-scan.json").read_text())
    assert scan["tool"] == "aisec-scan"
    assert {f["verdict"] for f in scan["findings"]} == {"pass"}


def test_roadmap_says_when_evidence_overturned_a_claim(demo_out: Path) -> None:
    agent = json.loads((demo_out / "email-agent.json").read_text())
    overturned = [i for i in agent["roadmap"] if i["overturned_by_evidence"]]
    assert overturned, "the guarded target defeats at least one control claimed in place"
    assert all(i["claimed_status"] in {"partial", "implemented", "verified"} for i in overturned)
    assert all(i["current_status"] == "not-implemented" for i in overturned)
    assert "probe evidence failed" in (demo_out / "email-agent.html").read_text()


def test_ml_evidence_moves_the_fraud_model_risk(demo_out: Path) -> None:
    pytest.importorskip("art", reason="the ml extra is not installed")
    fraud = json.loads((demo_out / "fraud-classifier.json").read_text())
    assert any(f.endswith("fraud-classifier-mltest.json") for f in fraud["evidence_files"])
    mia = next(r for r in fraud["risks"] if r["threat_id"] == "membership-inference")
    assert mia["demonstrated_by"], "the bundled model leaks membership beyond the default limits"


def test_residual_never_exceeds_inherent_with_real_evidence(demo_out: Path) -> None:
    for system in SYSTEMS:
        for r in json.loads((demo_out / f"{system}.json").read_text())["risks"]:
            assert r["residual"] <= r["inherent"], (system, r["key"])
