"""Derivation rules on deployments users describe with the optional system facts.

Each test builds a small system from YAML (as a user would write it), derives the threats and
checks both the decision and that its rationale names the facts that caused it.
"""

from __future__ import annotations

import yaml

from aisec.analysis.derive import derive_threats
from aisec.analysis.likelihood import inherent_impact
from aisec.catalog import default_catalog
from aisec.system import load_system_text
from aisec.system.schema import AISystem

BASE: dict = {
    "id": "s",
    "name": "S",
    "owner": {"name": "Team"},
    "organisation_role": "integrator",
    "archetypes": ["conversational-assistant"],
    "business_impact": {"confidentiality": 3, "integrity": 3, "availability": 3},
}
LLM = {
    "id": "llm",
    "name": "LLM",
    "kind": "genai",
    "task": "text-generation",
    "source": "provider-api",
    "supplier": "Provider",
    "trained_by": "supplier",
    "hosted_by": "model-provider",
}
CHAT = {
    "id": "chat",
    "name": "Chat",
    "exposure": "public",
    "authenticated": False,
    "users": ["anyone"],
    "models": ["llm"],
}


def system(**parts: object) -> AISystem:
    doc = {**BASE, "models": [LLM], **parts}
    return load_system_text(yaml.safe_dump(doc, sort_keys=False), "test.yaml")


def found(s: AISystem, threat: str) -> tuple[bool, str]:
    """Whether the threat applies to any component, and all rationale/aggravating text."""
    ds = [d for d in derive_threats(default_catalog(), s) if d.threat_id == threat]
    text = " ".join(r for d in ds for r in [*d.rationale, *d.aggravating, *d.easing])
    return any(d.applicable for d in ds), text


def test_code_config_leak_applies_to_integrators_keeping_prompts_and_keys() -> None:
    s = system(
        interfaces=[CHAT],
        augmentation=[
            {
                "id": "prompt",
                "name": "System prompt",
                "kind": "system-prompt",
                "sensitivity": "internal",
                "content_sources": ["developers"],
                "feeds": ["llm"],
            }
        ],
    )
    ok, why = found(s, "code-config-leak")
    assert ok and "system prompt prompt" in why and "API keys for Provider" in why


def test_model_theft_for_sensitive_weights_on_devices_even_when_not_ip() -> None:
    model = {
        **LLM,
        "source": "open-weights",
        "fine_tuned_by": "us",
        "hosted_by": "us",
        "deployment": "device",
        "weights_embed_sensitive_data": True,
    }
    ok, why = found(system(models=[model]), "model-theft")
    assert ok and "embed sensitive data" in why and "device" in why
    ok, why = found(
        system(models=[{**model, "weights_embed_sensitive_data": False}]), "model-theft"
    )
    assert not ok and "neither intellectual property nor holds sensitive data" in why
    # the rationale must not claim the organisation's own infrastructure for a device model
    _, why = found(system(models=[model]), "runtime-model-poisoning")
    assert "own infrastructure" not in why and "device installations" in why


def test_evasion_applies_to_a_generative_model_used_as_a_filter() -> None:
    out = {"id": "verdict", "name": "Phishing verdict", "rendering": "decision", "models": ["llm"]}
    ok, why = found(system(interfaces=[CHAT], outputs=[out]), "evasion")
    assert ok and "used to classify or filter" in why
    assert not found(system(interfaces=[CHAT]), "evasion")[0]


def test_training_data_leak_when_sensitive_data_goes_to_a_supplier_for_fine_tuning() -> None:
    ds = {
        "id": "cases",
        "name": "Case files",
        "purpose": "fine-tuning",
        "sensitivity": "personal",
        "provenance": "in-house",
        "shared_with_supplier": True,
    }
    model = {**LLM, "fine_tuned_by": "supplier", "training_data": ["cases"]}
    ok, why = found(system(models=[model], datasets=[ds], interfaces=[CHAT]), "training-data-leak")
    assert ok and "cases is sent to Provider" in why


def test_backdoor_distinguishes_open_weights_from_a_provider_api() -> None:
    ok, why = found(system(interfaces=[CHAT]), "backdoor")
    assert not ok and "no third-party weight files" in why
    open_model = {**LLM, "source": "open-weights", "hosted_by": "us", "trained_by": "supplier"}
    ok, why = found(system(models=[open_model], interfaces=[CHAT]), "backdoor")
    assert ok and "third-party weight files" in why
    # downloaded weights are not dev-time poisoning unless the organisation trains them
    assert not found(system(models=[open_model], interfaces=[CHAT]), "dev-model-poisoning")[0]


def test_a_published_model_has_no_service_threats_but_white_box_ones() -> None:
    ds = {
        "id": "notes",
        "name": "Clinical notes",
        "purpose": "training",
        "sensitivity": "special-category",
        "provenance": "in-house",
    }
    model = {
        **LLM,
        "source": "in-house",
        "trained_by": "us",
        "hosted_by": "us",
        "weights_distributed": "public",
        "training_data": ["notes"],
    }
    s = system(models=[model], datasets=[ds], organisation_role="vendor")
    for threat in ("resource-exhaustion", "conventional-runtime-attack", "runtime-model-poisoning"):
        ok, why = found(s, threat)
        assert not ok and "only published as weights" in why, threat
    ok, why = found(s, "membership-inference")
    assert ok and "published: anyone can attack them white-box" in why
    ok, why = found(s, "sensitive-output-disclosure")  # memorised notes, extracted white-box
    assert ok and "published" in why and "notes (special-category)" in why


def test_sensor_input_keeps_evasion_but_needs_an_observable_channel_for_extraction() -> None:
    model = {
        "id": "det",
        "name": "Detector",
        "kind": "predictive",
        "task": "object-detection",
        "source": "in-house",
        "trained_by": "us",
        "hosted_by": "us",
        "deployment": "edge",
        "is_ip": True,
    }
    cam = {
        "id": "camera",
        "name": "Road camera",
        "exposure": "public",
        "authenticated": False,
        "users": ["passers-by"],
        "models": ["det"],
        "input_kind": "sensor",
    }
    s = system(models=[model], interfaces=[cam])
    ok, why = found(s, "evasion")
    assert ok and "physical-world input through camera" in why
    ok, why = found(s, "model-exfiltration")
    assert not ok and "no interface lets its users observe the answers" in why
    api = {**cam, "id": "api", "input_kind": "query", "returns": "label-only"}
    assert found(system(models=[model], interfaces=[api]), "model-exfiltration")[0]


def test_service_rationales_name_the_concrete_exposure() -> None:
    tool = {"id": "lookup", "name": "Lookup", "effects": ["read"], "used_by": ["llm"]}
    s = system(interfaces=[CHAT], tools=[tool])
    ok, why = found(s, "resource-exhaustion")
    assert ok and "chat (public)" in why and "tokens" in why and "lookup" in why
    assert "every AI system" not in why
    ok, why = found(s, "supply-chain-compromise")
    assert ok and "client SDK and the API of Provider" in why


def test_documents_through_the_input_channel_carry_indirect_injection() -> None:
    assert not found(system(interfaces=[CHAT]), "indirect-prompt-injection")[0]
    docs = {**CHAT, "input_kind": "document", "carries_content": ["email"]}
    ok, why = found(system(interfaces=[docs]), "indirect-prompt-injection")
    assert ok and "interface chat carries email, documents content" in why


def test_completion_model_discloses_but_is_not_prompt_injectable() -> None:
    ds = {
        "id": "code",
        "name": "Private code",
        "purpose": "fine-tuning",
        "sensitivity": "confidential",
        "provenance": "in-house",
    }
    model = {
        **LLM,
        "task": "code-completion",
        "follows_instructions": False,
        "fine_tuned_by": "us",
        "training_data": ["code"],
    }
    s = system(models=[model], datasets=[ds], interfaces=[CHAT])
    ok, why = found(s, "direct-prompt-injection")
    assert not ok and "completes text without following instructions" in why
    assert found(s, "sensitive-output-disclosure")[0]


def test_agent_messages_thresholds_scope_and_anonymous_triggers() -> None:
    refund = {
        "id": "refund",
        "name": "Refund",
        "effects": ["pay"],
        "requires_approval": True,
        "approval_threshold": "EUR 200",
        "scope": "cross-user",
        "used_by": ["llm"],
    }
    ok, why = found(system(interfaces=[CHAT], tools=[refund]), "agent-escape")
    assert ok
    assert "refund below EUR 200" in why
    assert "anonymous users can make model llm call refund" in why
    assert "beyond the calling user's own records" in why
    other = {**LLM, "id": "planner", "name": "Planner"}
    flow = {"from": "planner", "to": "llm", "data": "tasks", "kind": "agent-message"}
    ok, why = found(system(models=[LLM, other], data_flows=[flow]), "agent-message-manipulation")
    assert ok and "exchanges agent messages planner->llm" in why


def test_sensitive_records_make_input_data_leak_apply() -> None:
    log = {
        "id": "transcripts",
        "name": "Chat transcripts",
        "kind": "transcript",
        "sensitivity": "personal",
        "retention_days": 30,
        "models": ["llm"],
    }
    assert not found(system(interfaces=[CHAT]), "input-data-leak")[0]
    ok, why = found(system(interfaces=[CHAT], records=[log]), "input-data-leak")
    assert ok and "transcripts (transcript, personal, kept 30 days)" in why


def test_human_review_eases_evasion_and_output_injection() -> None:
    out = {"id": "o", "name": "O", "rendering": "decision", "models": ["llm"]}
    ok, why = found(system(interfaces=[CHAT], outputs=[{**out, "human_review": True}]), "evasion")
    assert ok and "a person reviews every output" in why


def test_asset_sensitivity_drives_confidentiality_impact() -> None:
    cat = default_catalog()
    threat = cat.threats["augmentation-data-leak"]

    def store(sensitivity: str) -> AISystem:
        return system(
            interfaces=[CHAT],
            augmentation=[
                {
                    "id": "kb",
                    "name": "KB",
                    "kind": "knowledge-base",
                    "sensitivity": sensitivity,
                    "content_sources": ["internal"],
                    "feeds": ["llm"],
                }
            ],
        )

    public = inherent_impact(threat, store("public"), "llm")
    hr = inherent_impact(threat, store("special-category"), "llm")
    assert public.value < hr.value
    assert "augmentation-data is special-category" in hr.reason
    # request data sensitivity drives input-data leak impact
    patient = {**CHAT, "request_sensitivity": "special-category"}
    leak = inherent_impact(cat.threats["input-data-leak"], system(interfaces=[patient]), "llm")
    assert leak.value == 5 and "input-data is special-category" in leak.reason


def test_multimodal_input_can_carry_hidden_instructions() -> None:
    plain = system(interfaces=[CHAT])
    assert not found(plain, "indirect-prompt-injection")[0]
    multimodal = system(interfaces=[CHAT], archetypes=["multimodal"])
    ok, why = found(multimodal, "indirect-prompt-injection")
    assert ok and "image and document (multimodal)" in why
