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


# Reviewed after the 2026-12 derivation and likelihood rework; each choice names its reason.
@pytest.mark.parametrize(
    ("example", "present", "absent"),
    [
        (
            "email-agent",
            [
                "indirect-prompt-injection",  # mails, attachments and web pages reach the agent
                "agent-escape",  # send/write tools act unattended
                "direct-prompt-injection",  # anyone on the internet writes to the mailbox
                "output-injection",  # HTML mail rendered in customers' clients
                "agent-message-manipulation",  # tool calls carry message structure
                "resource-exhaustion",  # public mailbox, token cost, tool loops
                "code-config-leak",  # an integrator still keeps prompts, keys and agent config
                "input-data-leak",  # CRM records and mail go to the model provider
            ],
            [
                "evasion",  # no decision or filter is built on the LLM's output
                "data-poisoning",  # nobody trains or keeps training here
                "model-theft",  # provider-hosted weights, neither IP nor sensitive
                "membership-inference",  # no sensitive training data of ours
                "backdoor",  # provider API: covered by supply-chain model poisoning
                "dev-model-poisoning",  # no training or fine-tuning by the organisation
            ],
        ),
        (
            "rag-assistant",
            [
                "indirect-prompt-injection",  # user uploads land in the vector store
                "augmentation-data-leak",
                "sensitive-output-disclosure",
                "supply-model-poisoning",
                "output-injection",  # markdown answers
                "backdoor",  # open-weight embedding model loaded from a hub
                "input-data-leak",  # personal HR questions sent to the provider
            ],
            [
                "agent-escape",  # no tools
                "evasion",  # nothing decides on the model's output
                "data-poisoning",  # no training by the organisation
                "model-theft",  # no IP or sensitive weights
            ],
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
                "backdoor",  # third-party chargeback labels and continuous learning
                "conventional-runtime-attack",
            ],
            [
                "direct-prompt-injection",  # predictive model
                "indirect-prompt-injection",
                "agent-escape",
                "supply-model-poisoning",  # built in-house
                "output-injection",  # a decision, not rendered text
            ],
        ),
        (
            "vendor-finetune-api",
            [
                "data-poisoning",
                "supply-model-poisoning",
                "model-theft",  # IP weights that also embed customer contracts
                "model-exfiltration",
                "membership-inference",
                "direct-prompt-injection",
                "code-config-leak",
                "runtime-model-poisoning",  # self-hosted service
                "training-data-leak",
            ],
            [
                "indirect-prompt-injection",  # no third-party content reaches prompts
                "agent-escape",
                "evasion",
                "model-inversion",  # generative model: memorised text is disclosure instead
            ],
        ),
        (
            "recommender",
            [
                "data-poisoning",  # clicks and purchases are feedback training signals
                "evasion",
                "model-exfiltration",
                "backdoor",
                "membership-inference",  # personal clickstream, public queries
            ],
            [
                "direct-prompt-injection",
                "augmentation-data-leak",
                "supply-model-poisoning",
                "input-data-leak",  # no sensitive requests or logs declared
            ],
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
