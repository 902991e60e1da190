"""Depth for assessors: every control has guidance and questions, every threat says how to test it,
and the aisec commands the text names exist."""

from __future__ import annotations

import re
from importlib import resources

from aisec.catalog import default_catalog
from aisec.catalog.frameworks import default_frameworks
from aisec.cli import main
from aisec.probes.ml.interface import MLTest

# what the commands really accept: bundled probe families and the ML test names
PROBE_FAMILIES = {
    p.stem
    for p in (resources.files("aisec.probes.llm") / "families").iterdir()
    if p.name.endswith(".yaml")
}
ML_TESTS = {t.value for t in MLTest}


def _named_checks(text: str) -> list[tuple[str, str]]:
    found = re.findall(r"aisec (probe) --only ([a-z,-]+)|aisec (mltest) --tests ([a-z,-]+)", text)
    return [(a or c, n) for a, b, c, d in found for n in (b or d).split(",") if n]


def test_every_control_has_guidance_and_assessor_questions() -> None:
    for control in default_catalog().controls.values():
        assert len(control.guidance) >= 2, control.id
        assert control.questions and all(
            q.endswith("?") or q.startswith("Show") for q in control.questions
        ), control.id


def test_every_threat_says_how_to_test_it_with_a_real_check() -> None:
    for threat in default_catalog().threats.values():
        assert threat.how_to_test, threat.id
        text = " ".join(threat.how_to_test)
        assert "aisec " in text or "Manual" in text, threat.id


def test_named_probes_and_ml_tests_exist() -> None:
    catalog = default_catalog()
    texts = [s for t in catalog.threats.values() for s in t.how_to_test]
    texts += [s for c in catalog.controls.values() for s in c.guidance]
    named = [check for text in texts for check in _named_checks(text)]
    assert named, "the guidance names aisec checks"
    for kind, name in named:
        assert name in (PROBE_FAMILIES if kind == "probe" else ML_TESTS), (kind, name)


def test_show_prints_guidance_and_how_to_test(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["catalog", "show", "human-approval"]) == 0
    out = capsys.readouterr().out
    assert "implementation guidance" in out and "assessor questions" in out
    assert main(["catalog", "show", "evasion"]) == 0
    assert "how to test" in capsys.readouterr().out


def test_public_frameworks_carry_paragraph_references() -> None:
    frameworks = default_frameworks()
    act = frameworks["eu-ai-act"].items
    assert "15(5)" in (act["eu-ai-act:2024:Art.15(5)"].paragraphs or "")
    assert sum(1 for i in act.values() if i.paragraphs) >= 15
    aml = frameworks["nist-ai-100-2"].items
    assert sum(1 for i in aml.values() if i.paragraphs) >= 15
    rmf = frameworks["nist-ai-rmf"].items
    assert (
        rmf["nist-ai-rmf:1.0:MEASURE-2.7"].paragraphs == "AI RMF 1.0 Table 3 (MEASURE), MEASURE 2.7"
    )
    genai = frameworks["nist-ai-600-1"].items
    assert genai["nist-ai-600-1:2024:information-security"].paragraphs == "NIST AI 600-1 §2.9"
