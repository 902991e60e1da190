"""AI Act applicability on hand-made systems: provider vs deployer, high-risk vs not, public
body, GPAI with and without systemic risk, transparency, and the Annex III area check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aisec.analysis.coverage import ControlInput
from aisec.analysis.obligations import (
    DISCLAIMER,
    AnnexIIIArea,
    Applicability,
    obligations,
)
from aisec.catalog import default_catalog
from aisec.catalog.crosswalk import default_crosswalks
from aisec.catalog.frameworks import known_ref
from aisec.common.errors import InputError
from aisec.system.assessment import ControlStatus
from aisec.system.loader import load_system_text
from aisec.system.schema import AISystem, ImpactBeyondCia, Priority

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
HIGH_RISK_PROVIDER = {
    "Art.9",
    "Art.10",
    "Art.11",
    "Art.12",
    "Art.13",
    "Art.14",
    "Art.15",
    "Art.15(5)",
    "Art.17",
    "Art.72",
    "Art.73",
}


def _system(**regulatory: Any) -> AISystem:
    return AISystem.model_validate(
        {
            "id": "demo",
            "name": "Demo",
            "owner": {"name": "Owner"},
            "organisation_role": "both",
            "archetypes": ["ml-classifier"],
            "business_impact": {"confidentiality": 3, "integrity": 3, "availability": 3},
            "models": [
                {
                    "id": "m",
                    "name": "M",
                    "kind": "predictive",
                    "task": "classification",
                    "source": "in-house",
                    "trained_by": "us",
                    "hosted_by": "us",
                }
            ],
            "regulatory": regulatory,
        }
    )


def _articles(system: AISystem, status: Applicability | None = None) -> set[str]:
    result = obligations(system, default_catalog(), default_crosswalks())
    return {
        o.article.removeprefix("eu-ai-act:2024:")
        for o in result.obligations
        if status is None or o.applicability is status
    }


def test_high_risk_provider_gets_articles_9_to_17_and_post_market() -> None:
    found = _articles(_system(eu_ai_act_role="provider", annex_iii_area="employment"))
    assert HIGH_RISK_PROVIDER <= found
    assert not {"Art.26", "Art.27"} & found


def test_high_risk_deployer_gets_26_but_not_provider_duties() -> None:
    found = _articles(_system(eu_ai_act_role="deployer", annex_iii_area="employment"))
    assert "Art.26" in found and not HIGH_RISK_PROVIDER & found
    assert "Art.27" not in found  # private deployer, not credit/insurance


def test_both_roles_get_both_sets() -> None:
    found = _articles(_system(eu_ai_act_role="both", annex_iii_area="education"))
    assert HIGH_RISK_PROVIDER | {"Art.26"} <= found


@pytest.mark.parametrize("role", ["provider", "deployer", "both"])
def test_not_high_risk_means_no_chapter_iii_duties(role: str) -> None:
    found = _articles(_system(eu_ai_act_role=role))
    assert found == {"Art.4"}
    result = obligations(_system(eu_ai_act_role=role))
    reasons = {n.article.removeprefix("eu-ai-act:2024:"): n.reason for n in result.not_triggered}
    assert "not high-risk" in reasons["Art.15"] and "not high-risk" in reasons["Art.27"]
    assert result.high_risk is False


def test_safety_component_is_high_risk_but_not_for_art_27() -> None:
    result = obligations(
        _system(
            eu_ai_act_role="deployer", safety_component=True, public_body_or_public_service=True
        )
    )
    assert result.high_risk and "Annex I" in result.high_risk_basis[0]
    assert "eu-ai-act:2024:Art.26" in {o.article for o in result.obligations}
    assert "eu-ai-act:2024:Art.27" in {n.article for n in result.not_triggered}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            {"public_body_or_public_service": True, "annex_iii_area": "education"},
            Applicability.APPLIES,
        ),
        ({"annex_iii_area": "essential-services"}, Applicability.TO_CONFIRM),
        (
            {"public_body_or_public_service": True, "annex_iii_area": "critical-infrastructure"},
            None,
        ),
        ({"annex_iii_area": "law-enforcement"}, None),
    ],
)
def test_fundamental_rights_impact_assessment(
    facts: dict[str, Any], expected: Applicability | None
) -> None:
    result = obligations(
        _system(eu_ai_act_role="deployer", **facts), default_catalog(), default_crosswalks()
    )
    art27 = [o for o in result.obligations if o.article == "eu-ai-act:2024:Art.27"]
    if expected is None:
        assert not art27
    else:
        (obligation,) = art27
        assert obligation.applicability is expected
        assert "iso42001:2023:6.1.4" in obligation.related and "iso42005:2025" in obligation.related
        assert obligation.controls == []  # outside 27090's scope: no security control claims it


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"general_purpose_model": True}, {"Art.53"}),
        ({"general_purpose_model": True, "systemic_risk_gpai": True}, {"Art.53", "Art.55"}),
        ({"systemic_risk_gpai": True}, {"Art.53", "Art.55"}),
        ({}, set()),
    ],
)
def test_gpai_provider_obligations(facts: dict[str, Any], expected: set[str]) -> None:
    found = _articles(_system(eu_ai_act_role="provider", **facts))
    assert found & {"Art.53", "Art.55"} == expected


def test_systemic_flag_alone_implies_gpai_and_says_so() -> None:
    result = obligations(_system(eu_ai_act_role="provider", systemic_risk_gpai=True))
    art53 = next(o for o in result.obligations if o.article == "eu-ai-act:2024:Art.53")
    assert any("implied" in why for why in art53.why)


def test_gpai_duties_do_not_fall_on_deployers() -> None:
    found = _articles(
        _system(eu_ai_act_role="deployer", general_purpose_model=True, systemic_risk_gpai=True)
    )
    assert not {"Art.53", "Art.55"} & found


def test_systemic_risk_lists_red_teaming_and_cybersecurity_controls() -> None:
    result = obligations(
        _system(eu_ai_act_role="provider", general_purpose_model=True, systemic_risk_gpai=True),
        default_catalog(),
        default_crosswalks(),
    )
    art55 = next(o for o in result.obligations if o.article == "eu-ai-act:2024:Art.55")
    controls = {c.control for c in art55.controls}
    assert {"red-teaming", "dev-security", "runtime-model-confidentiality"} <= controls


@pytest.mark.parametrize(
    ("role", "facts", "applies", "confirm"),
    [
        ("provider", {"interacts_with_people": True}, {"Art.50"}, set()),
        ("provider", {"generates_synthetic_content": True}, {"Art.50"}, set()),
        ("deployer", {"interacts_with_people": True}, set(), set()),
        ("deployer", {"generates_synthetic_content": True}, set(), {"Art.50(4)"}),
        ("both", {"generates_synthetic_content": True}, {"Art.50"}, {"Art.50(4)"}),
        ("provider", {}, set(), set()),
    ],
)
def test_transparency(
    role: str, facts: dict[str, Any], applies: set[str], confirm: set[str]
) -> None:
    system = _system(eu_ai_act_role=role, **facts)
    assert _articles(system, Applicability.APPLIES) - {"Art.4"} == applies
    assert _articles(system, Applicability.TO_CONFIRM) == confirm


def test_not_in_scope_yields_nothing_but_says_why() -> None:
    result = obligations(_system(eu_ai_act_role="not-in-scope", annex_iii_area="employment"))
    assert result.obligations == [] and result.not_triggered
    assert result.disclaimer == DISCLAIMER and "not legal advice" in DISCLAIMER


def test_art_15_lists_helping_controls_with_assessment_status() -> None:
    states = {"red-teaming": ControlInput(ControlStatus.VERIFIED, evidence=("pentest.pdf",))}
    result = obligations(
        _system(eu_ai_act_role="provider", annex_iii_area="biometrics"),
        default_catalog(),
        default_crosswalks(),
        states,
    )
    art155 = next(o for o in result.obligations if o.article == "eu-ai-act:2024:Art.15(5)")
    red = next(c for c in art155.controls if c.control == "red-teaming")
    assert red.status is ControlStatus.VERIFIED and red.evidence == ["pentest.pdf"]
    assert len(art155.controls) > 20
    assert all(c.status is None for c in art155.controls if c.control != "red-teaming")
    for obligation in result.obligations:
        assert all(known_ref(r) or r == "iso42005:2025" for r in obligation.related)
    json.dumps(result.model_dump(mode="json"))


def test_unknown_annex_iii_area_is_a_located_error() -> None:
    """Refused when the system is loaded (every command alike), naming file, line and field."""
    import yaml

    from aisec.system.loader import load_system_text

    data = _system(eu_ai_act_role="provider").model_dump(mode="json", by_alias=True)
    data["regulatory"]["annex_iii_area"] = "credit-scoring"
    with pytest.raises(InputError) as caught:
        load_system_text(yaml.safe_dump(data, sort_keys=False), "sys.yaml")
    text = str(caught.value)
    assert text.startswith("sys.yaml:") and "regulatory.annex_iii_area" in text
    assert all(area.value in text for area in AnnexIIIArea)


def test_impact_beyond_cia_produces_advice() -> None:
    impact = ImpactBeyondCia(
        fundamental_rights=["non-discrimination"], harm_to_individuals=Priority.HIGH
    )
    system = _system(eu_ai_act_role="deployer").model_copy(update={"impact": impact})
    notes = " ".join(obligations(system).impact_notes)
    assert "ISO/IEC 42005" in notes and "Annex III" in notes


@pytest.mark.parametrize(
    "example",
    sorted(p.name for p in EXAMPLES.glob("*.yaml") if not p.name.endswith(".assessment.yaml")),
)
def test_bundled_examples(example: str) -> None:
    system = load_system_text((EXAMPLES / example).read_text(), example)
    result = obligations(system, default_catalog(), default_crosswalks())
    assert result.system == system.id
    assert all(o.why for o in result.obligations)
    assert all(n.reason for n in result.not_triggered)
