"""Threat derivation on the bundled examples: expected threats with rationale, exclusions with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.analysis.derive import derive_threats
from aisec.analysis.model import ThreatDecision
from aisec.catalog import default_catalog
from aisec.system import load_system, load_system_text

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def decisions(name: str) -> dict[str, list[ThreatDecision]]:
    out: dict[str, list[ThreatDecision]] = {}
    for d in derive_threats(default_catalog(), load_system(EXAMPLES / f"{name}.yaml")):
        out.setdefault(d.threat_id, []).append(d)
    return out


def applies(ds: dict[str, list[ThreatDecision]], threat: str) -> bool:
    return any(d.applicable for d in ds[threat])


@pytest.mark.parametrize(
    ("example", "present", "absent"),
    [
        (
            "email-agent",
            [
                "indirect-prompt-injection",
                "agent-escape",
                "direct-prompt-injection",
                "output-injection",
                "agent-message-manipulation",
                "resource-exhaustion",
            ],
            ["evasion", "data-poisoning", "model-theft", "membership-inference"],
        ),
        (
            "rag-assistant",
            [
                "indirect-prompt-injection",
                "augmentation-data-leak",
                "sensitive-output-disclosure",
                "supply-model-poisoning",
                "output-injection",
            ],
            ["agent-escape", "evasion", "data-poisoning"],
        ),
        (
            "fraud-classifier",
            [
                "evasion",
                "data-poisoning",
                "membership-inference",
                "model-inversion",
                "model-exfiltration",
                "model-theft",
                "training-data-leak",
            ],
            [
                "direct-prompt-injection",
                "indirect-prompt-injection",
                "agent-escape",
                "supply-model-poisoning",
            ],
        ),
        (
            "vendor-finetune-api",
            [
                "data-poisoning",
                "supply-model-poisoning",
                "model-theft",
                "model-exfiltration",
                "membership-inference",
                "direct-prompt-injection",
                "code-config-leak",
            ],
            ["indirect-prompt-injection", "agent-escape", "evasion"],
        ),
        (
            "recommender",
            ["data-poisoning", "evasion", "model-exfiltration", "backdoor"],
            ["direct-prompt-injection", "augmentation-data-leak", "supply-model-poisoning"],
        ),
    ],
)
def test_expected_threats_per_example(example: str, present: list[str], absent: list[str]) -> None:
    ds = decisions(example)
    assert set(ds) == set(default_catalog().threats), "every catalogue threat is accounted for"
    for threat in present:
        assert applies(ds, threat), f"{threat} should apply to {example}"
    for threat in absent:
        assert not applies(ds, threat), f"{threat} should not apply to {example}"
        assert all(d.rationale and d.rationale[0] for d in ds[threat]), (
            "an exclusion carries a reason"
        )


def test_rationale_names_the_components() -> None:
    ds = decisions("email-agent")
    ipi = next(d for d in ds["indirect-prompt-injection"] if d.applicable)
    text = " ".join(ipi.rationale)
    assert "read-inbox" in text and "web-browse" in text and "agent-llm" in text
    assert any("lethal trifecta" in a for a in ipi.aggravating)
    assert any("send-email" in a for a in ipi.aggravating)


def test_exclusion_reason_names_the_missing_fact() -> None:
    ds = decisions("email-agent")
    (evasion,) = ds["evasion"]
    assert not evasion.applicable
    assert "no decision or filter is built on its output" in evasion.rationale[0]
    ds = decisions("fraud-classifier")
    assert "built in-house" in ds["supply-model-poisoning"][0].rationale[0]


def test_lethal_trifecta_breaks_when_a_leg_is_removed() -> None:
    text = (EXAMPLES / "email-agent.yaml").read_text()
    # Remove every outbound channel: send tools become read-only, output plain.
    text = text.replace("effects: [send]", "effects: [write]").replace(
        "effects: [read, send]", "effects: [read]"
    )
    text = text.replace("rendering: html", "rendering: plain")
    system = load_system_text(text, "agent-no-exfil.yaml")
    ipi = next(
        d
        for d in derive_threats(default_catalog(), system)
        if d.threat_id == "indirect-prompt-injection"
    )
    assert ipi.applicable
    assert not any("lethal trifecta" in a for a in ipi.aggravating)


def test_who_trains_decides_data_poisoning() -> None:
    text = (EXAMPLES / "rag-assistant.yaml").read_text()
    ds = {
        d.threat_id: d
        for d in derive_threats(default_catalog(), load_system_text(text))
        if d.component == "system"
    }
    assert not ds["data-poisoning"].applicable
    tuned = text.replace(
        "    trained_by: supplier\n    hosted_by: model-provider",
        "    trained_by: supplier\n    fine_tuned_by: us\n    hosted_by: model-provider",
    )
    found = [
        d
        for d in derive_threats(default_catalog(), load_system_text(tuned))
        if d.threat_id == "data-poisoning"
    ]
    assert any(d.applicable and "fine-tunes model chat-llm" in " ".join(d.rationale) for d in found)
