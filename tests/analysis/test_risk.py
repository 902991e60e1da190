"""Risk arithmetic: scale, bands, diminishing returns, evidence, acceptance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisec.analysis.assess import assess
from aisec.analysis.risk import band, impact_of, reduce, reduce_likelihood, rescale
from aisec.catalog import default_catalog
from aisec.catalog.schema import Impact, Level
from aisec.evidence.apply import index_evidence
from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.system import load_system
from aisec.system.assessment import Assessment, ControlState, ControlStatus, RiskSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
NOW = datetime(2026, 11, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "levels", "expected"),
    [
        (1, 5, 1),
        (5, 5, 5),
        (3, 5, 3),
        (1, 3, 1),
        (3, 3, 2),
        (5, 3, 3),
        (5, 10, 10),
        (3, 10, 6),
        (2, 4, 2),
    ],
)
def test_rescale(value: int, levels: int, expected: int) -> None:
    assert rescale(value, levels) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (17, "critical"),
        (25, "critical"),
    ],
)
def test_default_bands(score: int, expected: str) -> None:
    assert band(score, RiskSettings()) == expected


def test_likelihood_reductions_have_diminishing_returns() -> None:
    assert reduce_likelihood(5, []) == 5
    assert reduce_likelihood(5, [1.0]) == 4  # 1 + 4*0.8 = 4.2
    assert reduce_likelihood(5, [3.0]) == 3  # 1 + 4*0.4 = 2.6 -> 3
    assert reduce_likelihood(5, [1.0] * 10) == 1  # 1 + 4*0.8^10 = 1.43
    assert (
        reduce_likelihood(5, [1.0, 1.0]) == 4
    )  # 1 + 2.56 = 3.56 -> 4: two weak controls < one strong
    assert reduce_likelihood(1, [3.0]) == 1
    assert reduce(4, 5.0, cap=2) == 2


def test_impact_uses_worst_property() -> None:
    system = load_system(EXAMPLES / "fraud-classifier.yaml")  # C4 I5 A5, harm high
    hit = impact_of(
        Impact(confidentiality=Level.LOW, integrity=Level.HIGH, availability=Level.NONE), system
    )
    assert hit.value == 5 and "integrity" in hit.reason
    low = impact_of(
        Impact(confidentiality=Level.MEDIUM, integrity=Level.NONE, availability=Level.NONE), system
    )
    assert low.value == 3 and low.properties == ["confidentiality"]


def _result(
    states: dict[str, ControlState],
    reports: list[EvidenceReport] = (),
    settings: RiskSettings | None = None,
):  # type: ignore[no-untyped-def]
    catalog = default_catalog()
    system = load_system(EXAMPLES / "email-agent.yaml")
    assessment = Assessment(system="email-agent", controls=states, risk=settings or RiskSettings())
    evidence = index_evidence(
        [(f"e{i}.json", r) for i, r in enumerate(reports)],
        set(catalog.controls),
        set(catalog.threats),
    )
    return assess(catalog, system, assessment, NOW, evidence)


def _risk(result, threat: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.risks if r.threat_id == threat)


def test_no_controls_residual_equals_inherent() -> None:
    result = _result({})
    assert all(r.residual == r.inherent for r in result.risks)
    assert result.readiness.overall.score == 0.0


def test_implemented_controls_lower_residual_and_partial_counts_half() -> None:
    base = _risk(_result({}), "indirect-prompt-injection")
    ids = [
        "input-segregation",
        "prompt-injection-io-handling",
        "least-model-privilege",
        "human-approval",
    ]
    full = _risk(
        _result({c: ControlState(status=ControlStatus.IMPLEMENTED) for c in ids}),
        "indirect-prompt-injection",
    )
    half = _risk(
        _result({c: ControlState(status=ControlStatus.PARTIAL) for c in ids}),
        "indirect-prompt-injection",
    )
    planned = _risk(
        _result({c: ControlState(status=ControlStatus.PLANNED) for c in ids}),
        "indirect-prompt-injection",
    )
    assert full.residual < half.residual < base.residual
    assert planned.residual == base.residual
    assert full.inherent == base.inherent


def test_excluded_control_does_not_count() -> None:
    state = ControlState(
        status=ControlStatus.IMPLEMENTED, applicable=False, justification="not ours"
    )
    r = _risk(_result({"input-segregation": state}), "indirect-prompt-injection")
    assert all(c.control_id != "input-segregation" for c in r.controls)


def _report(verdict: Verdict) -> EvidenceReport:
    return EvidenceReport(
        tool="aisec-probe",
        tool_version="t",
        generated_at=NOW,
        subject="http://127.0.0.1",
        findings=[
            Finding(
                tool="aisec-probe",
                rule_id="probe.indirect-prompt-injection",
                verdict=verdict,
                severity=Severity.HIGH,
                location="family",
                message="m",
                threat_ids=["indirect-prompt-injection"],
                control_ids=["input-segregation"],
            )
        ],
    )


def test_failed_evidence_overrides_claim_and_raises_residual() -> None:
    states = {
        c: ControlState(status=ControlStatus.IMPLEMENTED)
        for c in [
            "input-segregation",
            "prompt-injection-io-handling",
            "least-model-privilege",
            "human-approval",
        ]
    }
    claimed = _risk(_result(states), "indirect-prompt-injection")
    failed_result = _result(states, [_report(Verdict.FAIL)])
    failed = _risk(failed_result, "indirect-prompt-injection")
    assert failed.residual > claimed.residual
    assert failed.residual_likelihood >= 4 and failed.demonstrated_by
    view = next(v for v in failed_result.controls if v.id == "input-segregation")
    assert view.effective_status is ControlStatus.NOT_IMPLEMENTED
    assert view.evidence_outcome and view.evidence_outcome.outcome == "failed"


def test_passing_evidence_verifies_a_control_in_place() -> None:
    result = _result(
        {"input-segregation": ControlState(status=ControlStatus.IMPLEMENTED)},
        [_report(Verdict.PASS)],
    )
    view = next(v for v in result.controls if v.id == "input-segregation")
    assert view.effective_status is ControlStatus.VERIFIED


def test_acceptance_and_scale_are_configurable() -> None:
    strict = _result({}, settings=RiskSettings(acceptance=2))
    lax = _result({}, settings=RiskSettings(acceptance=24))
    assert strict.totals.risks_above_acceptance > lax.totals.risks_above_acceptance
    ten = _result(
        {},
        settings=RiskSettings(
            levels=10, acceptance=30, bands={"low": 15, "medium": 40, "high": 70}
        ),
    )
    assert max(r.inherent for r in ten.risks) > 25


def test_roadmap_ranks_by_risk_removed_and_readiness_not_assessed_when_empty() -> None:
    result = _result({})
    gains = [item.risk_reduction for item in result.roadmap]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    assert result.roadmap[0].rank == 1
    rob = next(s for s in result.readiness.by_category if s.key == "ROB")
    agt = next(s for s in result.readiness.by_category if s.key == "AGT")
    assert agt.assessed
    assert rob.controls == 0 or rob.assessed


def test_interactions_warn_about_trade_offs_and_conflicts() -> None:
    catalog = default_catalog()
    conflicting = next((c, k.control) for c in catalog.controls.values() for k in c.conflicts_with)
    states = {
        conflicting[0].id: ControlState(status=ControlStatus.PLANNED),
        conflicting[1]: ControlState(status=ControlStatus.IMPLEMENTED),
        "human-approval": ControlState(status=ControlStatus.PLANNED),
    }
    result = _result(states)
    kinds = {i.kind for i in result.interactions}
    assert "conflict" in kinds
    messages = " ".join(i.message for i in result.interactions)
    assert conflicting[0].id in messages


def test_register_uses_the_reworked_inherent_likelihood_and_asset_impact() -> None:
    """The register's inherent values come from analysis.likelihood, not a count of facts."""
    from aisec.analysis.likelihood import inherent_impact, inherent_likelihood

    catalog = default_catalog()
    system = load_system(EXAMPLES / "email-agent.yaml")
    result = _result({})
    levels = {(r.threat_id, r.component): r.likelihood for r in result.risks}
    assert len(set(levels.values())) >= 3  # the register ranks again
    for risk in result.risks:
        threat = catalog.threats[risk.threat_id]
        expected = inherent_likelihood(threat, catalog.rules[threat.id], system, risk.component)
        assert risk.likelihood == expected.value, risk.threat_id
        assert risk.impact == inherent_impact(threat, system, risk.component).value
    assert (
        levels[("direct-prompt-injection", "agent-llm")]
        > levels[("supply-model-poisoning", "agent-llm")]
    )


def _demonstrating(threat_ids: list[str]) -> EvidenceReport:
    """One failing probe finding per threat: every one of them shown to work."""
    return EvidenceReport(
        tool="aisec-probe",
        tool_version="t",
        generated_at=NOW,
        subject="http://127.0.0.1",
        findings=[
            Finding(
                tool="aisec-probe",
                rule_id=f"probe.{t}",
                verdict=Verdict.FAIL,
                severity=Severity.HIGH,
                location="family",
                message="attack worked",
                threat_ids=[t],
            )
            for t in threat_ids
        ],
    )


def test_demonstrated_threat_raises_inherent_likelihood_so_residual_never_exceeds_it() -> None:
    """A demonstrated attack is 'likely' before controls too: residual <= inherent always."""
    baseline = _result({})
    low = next(r for r in baseline.risks if r.likelihood < 4)
    result = _result({}, [_demonstrating([low.threat_id])])
    risk = next(
        r for r in result.risks if r.threat_id == low.threat_id and r.component == low.component
    )
    assert risk.demonstrated_by
    assert risk.likelihood == 4 and risk.residual_likelihood == 4
    assert risk.inherent > low.inherent and risk.residual <= risk.inherent
    assert "evidence demonstrated it" in (risk.likelihood_reason or "")


@pytest.mark.parametrize(
    "name",
    sorted(p.name.removesuffix(".yaml") for p in EXAMPLES.glob("*.yaml") if "." not in p.stem),
)
def test_residual_never_exceeds_inherent_on_every_example(name: str) -> None:
    """Every bundled example with its own assessment, with and without every threat demonstrated."""
    from aisec.system.assessment import load_assessment

    catalog = default_catalog()
    system = load_system(EXAMPLES / f"{name}.yaml")
    assessment = load_assessment(EXAMPLES / f"{name}.assessment.yaml")
    plain = assess(catalog, system, assessment, NOW, index_evidence([], set(), set()))
    threats = sorted({r.threat_id for r in plain.risks})
    evidence = index_evidence(
        [("all.json", _demonstrating(threats))], set(catalog.controls), set(catalog.threats)
    )
    shown = assess(catalog, system, assessment, NOW, evidence)
    assert plain.risks and all(r.demonstrated_by for r in shown.risks)
    for result in (plain, shown):
        for r in result.risks:
            assert r.residual <= r.inherent, (name, r.key, r.inherent, r.residual)
            assert r.residual_likelihood <= r.likelihood and r.residual_impact <= r.impact
