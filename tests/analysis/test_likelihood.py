"""Inherent likelihood: monotone in exposure, spread over levels, consultant-like ordering."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import yaml

from aisec.analysis.derive import derive_threats
from aisec.analysis.likelihood import combine, inherent_likelihood, to_level
from aisec.catalog import default_catalog
from aisec.system import load_system, load_system_text
from aisec.system.schema import AISystem

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def levels(s: AISystem) -> dict[tuple[str, str], int]:
    cat = default_catalog()
    out = {}
    for d in derive_threats(cat, s):
        if d.applicable:
            t = cat.threats[d.threat_id]
            out[(d.threat_id, d.component)] = inherent_likelihood(
                t, cat.rules[t.id], s, d.component
            ).value
    return out


def test_combination_is_monotone_in_every_factor() -> None:
    for base, reach, agg, eas in product(range(1, 6), (-1.0, 0.0, 0.25, 0.5), range(5), range(3)):
        here = to_level(combine(base, reach, agg, eas))
        assert to_level(combine(base, reach, agg + 1, eas)) >= here
        assert to_level(combine(base, reach, agg, eas + 1)) <= here
        assert to_level(combine(min(5, base + 1), reach, agg, eas)) >= here
        assert to_level(combine(base, reach + 0.25, agg, eas)) >= here


def test_aggravating_facts_have_diminishing_returns() -> None:
    # ten aggravating facts add less than one level on top of the first half level
    assert combine(3, 0, 10, 0) - combine(3, 0, 1, 0) < 0.5
    assert to_level(combine(3, 0, 10, 0)) == 4


def test_opening_an_interface_to_anonymous_users_never_lowers_a_likelihood() -> None:
    text = (EXAMPLES / "rag-assistant.yaml").read_text()
    before = levels(load_system_text(text))
    doc = yaml.safe_load(text)
    for iface in doc["interfaces"]:
        iface["exposure"], iface["authenticated"] = "public", False
    after = levels(load_system_text(yaml.safe_dump(doc)))
    assert all(after.get(k, 0) >= v for k, v in before.items())
    assert any(after[k] > v for k, v in before.items() if k in after)


def test_adding_an_unapproved_pay_tool_never_lowers_a_likelihood() -> None:
    doc = yaml.safe_load((EXAMPLES / "email-agent.yaml").read_text())
    before = levels(load_system_text(yaml.safe_dump(doc)))
    doc["tools"].append(
        {"id": "refund", "name": "Refund", "effects": ["pay"], "used_by": ["agent-llm"]}
    )
    after = levels(load_system_text(yaml.safe_dump(doc)))
    assert all(after[k] >= v for k, v in before.items())


def test_agent_register_spreads_over_at_least_three_levels() -> None:
    found = levels(load_system(EXAMPLES / "email-agent.yaml"))
    assert len(set(found.values())) >= 3
    assert sum(v == 5 for v in found.values()) <= len(found) // 2


def test_anonymous_refund_chatbot_ranks_injection_and_escape_above_supply_chain() -> None:
    doc = {
        "id": "shop-bot",
        "name": "Shop bot",
        "owner": {"name": "Shop"},
        "organisation_role": "integrator",
        "archetypes": ["autonomous-agent"],
        "business_impact": {"confidentiality": 3, "integrity": 4, "availability": 3},
        "models": [
            {
                "id": "llm",
                "name": "LLM",
                "kind": "genai",
                "task": "chat",
                "source": "provider-api",
                "trained_by": "supplier",
                "hosted_by": "model-provider",
            }
        ],
        "tools": [{"id": "refund", "name": "Refund", "effects": ["pay"], "used_by": ["llm"]}],
        "interfaces": [
            {
                "id": "web",
                "name": "Web chat",
                "exposure": "public",
                "authenticated": False,
                "users": ["anyone"],
                "models": ["llm"],
            }
        ],
    }
    found = levels(load_system_text(yaml.safe_dump(doc)))
    supply = found[("supply-model-poisoning", "llm")]
    assert found[("direct-prompt-injection", "llm")] > supply
    assert found[("agent-escape", "llm")] > supply
    assert found[("supply-chain-compromise", "system")] < found[("agent-escape", "llm")]


def test_development_only_threats_are_capped_and_explained() -> None:
    cat = default_catalog()
    s = load_system(EXAMPLES / "rag-assistant.yaml")
    t = cat.threats["supply-model-poisoning"]
    lk = inherent_likelihood(t, cat.rules[t.id], s, "embedder")
    assert lk.value <= 4 and lk.explanation.startswith("base 3")
    assert "leverage +0.5 (1 aggravating)" in lk.explanation


def test_every_base_likelihood_states_its_reason_in_the_explanation() -> None:
    cat = default_catalog()
    s = load_system(EXAMPLES / "email-agent.yaml")
    for threat in cat.threats.values():
        assert threat.base_reason, threat.id
    t = cat.threats["direct-prompt-injection"]
    lk = inherent_likelihood(t, cat.rules[t.id], s, "agent-llm")
    assert t.base_reason and t.base_reason in lk.explanation
