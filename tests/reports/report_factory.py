"""A hand-made assessment result for the report tests, independent of the bundled catalogue.

User-controlled strings carry markup and attribute-breaking payloads so every test doubles as an
escaping test; a pipe in the owner checks Markdown table cells.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from aisec.analysis.model import (
    AssessmentResult,
    CheckWarning,
    ControlContribution,
    ControlView,
    DecisionState,
    EvidenceFile,
    EvidenceOutcome,
    InputFile,
    Interaction,
    PracticeAnswer,
    Readiness,
    ReadinessScore,
    RiskItem,
    RoadmapItem,
    ThreatDecision,
    Totals,
    WarningCode,
)
from aisec.catalog.schema import Asset, Category, Phase, Role
from aisec.system.assessment import ControlStatus, RiskDecision, Treatment

XSS = "<script>alert(1)</script>"
ATTR = '" onmouseover="alert(2)'
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
BANDS = {"low": 4, "medium": 9, "high": 16, "levels": 5}


def _band(score: int) -> str:
    if score <= 4:
        return "low"
    if score <= 9:
        return "medium"
    return "high" if score <= 16 else "critical"


def risk(
    threat: str, name: str, component: str, lik: int, imp: int, rl: int, ri: int, **kw: Any
) -> RiskItem:
    data: dict[str, Any] = dict(
        threat_id=threat,
        threat_name=name,
        component=component,
        assets=[Asset.INPUT_DATA, Asset.AUGMENTATION_DATA],
        properties=["confidentiality", "integrity", "individuals", "transparency"],
        likelihood=lik,
        impact=imp,
        inherent=lik * imp,
        inherent_band=_band(lik * imp),
        residual_likelihood=rl,
        residual_impact=ri,
        residual=rl * ri,
        residual_band=_band(rl * ri),
        accepted=rl * ri <= 8,
        treatment="accept" if rl * ri <= 8 else "mitigate: input-segregation",
        controls=[
            ControlContribution(
                control_id="input-segregation",
                status=ControlStatus.PARTIAL,
                effective_strength=0.5,
                likelihood_reduction=1.0,
                impact_reduction=0.0,
            ),
            ControlContribution(
                control_id="rate-limit",
                status=ControlStatus.NOT_IMPLEMENTED,
                effective_strength=0.0,
                likelihood_reduction=0.0,
                impact_reduction=0.0,
            ),
        ],
        owner=f"Team | Ops {XSS}",
        role=Role.INTEGRATOR,
        impact_reason="confidentiality: business impact 4/5, hit high",
    )
    data.update(kw)
    return RiskItem(**data)


def control(
    cid: str, name: str, category: Category, role: Role, status: ControlStatus, **kw: Any
) -> ControlView:
    data: dict[str, Any] = dict(
        id=cid,
        name=name,
        category=category,
        phases=[Phase.DEPLOYMENT, Phase.OPERATION],
        role=role,
        role_overridden=False,
        status=status,
        effective_status=status,
        applicable=True,
        relevant=True,
        reason="mitigates indirect-prompt-injection",
        mitigates=["indirect-prompt-injection"],
    )
    data.update(kw)
    return ControlView(**data)


def score(
    key: str, label: str, value: float, controls: int, done: int, assessed: bool = True
) -> ReadinessScore:
    return ReadinessScore(
        key=key, label=label, score=value, controls=controls, implemented=done, assessed=assessed
    )


def make_result(**overrides: Any) -> AssessmentResult:
    risks = [
        risk(
            "indirect-prompt-injection",
            "Indirect prompt injection",
            "chat-llm",
            5,
            4,
            4,
            4,
            demonstrated_by=["aisec-probe ipi.canary @ chat"],
            key="indirect-prompt-injection@chat-llm",
            decision_state=DecisionState.DECISION_REQUIRED,
            decision_note=f"above appetite and no treatment decided {XSS}",
            suggested_controls=["input-segregation", "rate-limit"],
            treatment="decision required; proposed mitigate: input-segregation",
        ),
        risk(
            "sensitive-output-disclosure",
            "Sensitive output disclosure",
            "chat-llm",
            4,
            4,
            3,
            3,
            key="sensitive-output-disclosure@chat-llm",
            decision_state=DecisionState.EXPIRED,
            decision_note="accept decision by CISO expired on 2026-01-31",
            accepted=False,
            decision=RiskDecision(
                threat="sensitive-output-disclosure",
                treatment=Treatment.ACCEPT,
                risk_owner=f"Head of Support {XSS}",
                decided_by="CISO",
                decided_on=date(2025, 11, 1),
                review_by=date(2026, 1, 31),
                justification=f"Low volume {XSS} | pipes",
            ),
        ),
        risk(
            "resource-exhaustion",
            "Resource exhaustion",
            "system",
            3,
            2,
            2,
            2,
            key="resource-exhaustion@system",
            within_appetite=True,
            decision_state=DecisionState.ACCEPTED,
            decision=RiskDecision(
                threat="resource-exhaustion",
                treatment=Treatment.ACCEPT,
                risk_owner="Head of Support",
                decided_by="CISO",
                decided_on=date(2026, 3, 1),
                review_by=date(2026, 12, 31),
                justification="Rate limits at the gateway.",
            ),
        ),
    ]
    decisions = [
        ThreatDecision(
            threat_id="indirect-prompt-injection",
            threat_name="Indirect prompt injection",
            component="chat-llm",
            applicable=True,
            rationale=[
                f"retriever {XSS} inserts untrusted web pages into prompts",
                "retriever inserts untrusted web pages into prompts",
            ],
            aggravating=[f"the interface is public {ATTR}"],
            easing=["outputs are reviewed"],
        ),
        ThreatDecision(
            threat_id="sensitive-output-disclosure",
            threat_name="Sensitive output disclosure",
            component="chat-llm",
            applicable=True,
            rationale=["model sees HR data"],
        ),
        ThreatDecision(
            threat_id="resource-exhaustion",
            threat_name="Resource exhaustion",
            component="system",
            applicable=True,
            rationale=["applies to every AI system"],
        ),
        ThreatDecision(
            threat_id="data-poisoning",
            threat_name="Data poisoning",
            component="system",
            applicable=False,
            rationale=[f"nobody trains here {XSS}"],
        ),
    ]
    controls = [
        control(
            "model-alignment",
            "Model alignment",
            Category.ROB,
            Role.VENDOR,
            ControlStatus.VERIFIED,
            evidence=["eval-report.pdf"],
            evidence_outcome=EvidenceOutcome(
                outcome="verified", sources=["probe.json"], detail="3 checks passed"
            ),
        ),
        control(
            "input-segregation",
            "Input segregation",
            Category.IOH,
            Role.INTEGRATOR,
            ControlStatus.IMPLEMENTED,
            effective_status=ControlStatus.NOT_IMPLEMENTED,
            owner=f"Platform {ATTR}",
            notes=f"see ticket {XSS}",
            evidence_outcome=EvidenceOutcome(
                outcome="failed", sources=["probe.json"], detail="canary leaked"
            ),
        ),
        control(
            "rate-limit",
            "Rate limiting",
            Category.ACC,
            Role.INTEGRATOR,
            ControlStatus.PLANNED,
            role_overridden=True,
        ),
        control(
            "ai-incident-response",
            "AI incident response",
            Category.MON,
            Role.SHARED,
            ControlStatus.PARTIAL,
        ),
        control(
            "train-adversarial",
            "Adversarial training",
            Category.ROB,
            Role.VENDOR,
            ControlStatus.NOT_IMPLEMENTED,
            applicable=False,
            reason=f"excluded: we only call a hosted model {XSS}",
        ),
        control(
            "poison-robust-model",
            "Poison-robust model",
            Category.ROB,
            Role.VENDOR,
            ControlStatus.NOT_IMPLEMENTED,
            relevant=False,
            mitigates=[],
            reason="not needed: it mitigates only threats that do not apply (data-poisoning)",
        ),
    ]
    readiness = Readiness(
        overall=score("overall", "Overall", 47.5, 4, 1),
        supplier=score("supplier", "Supplier-provided", 0.0, 0, 0, assessed=False),
        by_category=[
            score("GOV", "Governance, risk and compliance", 0.0, 0, 0, assessed=False),
            score("IOH", "Input and output handling", 25.0, 1, 0),
            score("ACC", f"Runtime access {XSS}", 60.0, 1, 0),
            score("ROB", "Model robustness and resilience", 100.0, 1, 1),
        ],
        by_phase=[
            score(p.value, p.value, v, 2, 1, assessed=a)
            for p, v, a in (
                (Phase.DESIGN, 0.0, False),
                (Phase.DEPLOYMENT, 40.0, True),
                (Phase.OPERATION, 75.0, True),
            )
        ],
        by_role=[
            score(r.value, r.value, v, 2, 1)
            for r, v in ((Role.VENDOR, 100.0), (Role.INTEGRATOR, 20.0), (Role.SHARED, 50.0))
        ],
    )
    data: dict[str, Any] = dict(
        generated_at=NOW,
        aisec_version="0.0.0-test",
        catalog_version="2026.test",
        system_id="test-bot",
        system_name=f"Helpdesk {XSS} bot {ATTR}",
        system_description=f"Answers questions. {XSS} Pipes | stay | in cells.",
        owner=f"IT {ATTR} & Co",
        organisation_role="integrator",
        archetypes=["conversational-assistant", "rag"],
        assessed=True,
        acceptance=8,
        bands=BANDS,
        decisions=decisions,
        risks=risks,
        controls=controls,
        readiness=readiness,
        roadmap=[
            RoadmapItem(
                rank=1,
                control_id="input-segregation",
                control_name="Input segregation",
                category=Category.IOH,
                role=Role.INTEGRATOR,
                current_status=ControlStatus.IMPLEMENTED,
                risk_reduction=12,
                threats=["indirect-prompt-injection"],
                depends_on=["monitor-use"],
                side_effects=[f"usability (medium): {XSS}"],
                owner=f"Platform {XSS}",
                due=date(2026, 2, 1),
                overdue=True,
            ),
            RoadmapItem(
                rank=2,
                control_id="rate-limit",
                control_name="Rate limiting",
                category=Category.ACC,
                role=Role.INTEGRATOR,
                current_status=ControlStatus.PLANNED,
                risk_reduction=4,
                threats=["resource-exhaustion"],
                depends_on=[],
                side_effects=[],
                supplier_provided=True,
            ),
        ],
        interactions=[
            Interaction(
                kind="trade-off",
                controls=["rate-limit"],
                severity="warning",
                message=f"rate-limit costs availability {XSS}",
            )
        ],
        practices=[
            PracticeAnswer(
                practice_id="zero-trust",
                practice_name="Zero trust",
                question_id="zt-1",
                question=f"Is every input untrusted? {XSS}",
                controls=["input-segregation"],
                readiness=0.0,
            ),
            PracticeAnswer(
                practice_id="zero-trust",
                practice_name="Zero trust",
                question_id="zt-2",
                question="Least privilege?",
                controls=["rate-limit"],
                readiness=None,
            ),
            PracticeAnswer(
                practice_id="defence-in-depth",
                practice_name="Defence in depth",
                question_id="did-1",
                question="Several layers?",
                controls=["model-alignment"],
                readiness=100.0,
            ),
        ],
        totals=Totals(
            threats_applicable=3,
            threats_excluded=1,
            risks=3,
            risks_above_acceptance=2,
            inherent_sum=42,
            residual_sum=29,
            max_inherent=20,
            max_residual=16,
            controls_relevant=4,
            controls_in_place=1,
            decisions_needed=2,
            demonstrated=1,
            accepted=1,
            overdue_actions=1,
        ),
        evidence_files=["probe.json"],
        notes=[f"Assessment note {XSS}"],
        assessor=f"Security team {XSS}",
        assessment_date=date(2026, 3, 1),
        approvers=[f"CISO {ATTR}"],
        inputs=[
            InputFile(
                kind="system",
                path="test-bot.yaml",
                name="test-bot.yaml",
                sha256="a" * 64,
                size=1234,
            ),
            InputFile(
                kind="evidence", path=f"ev/{XSS}.json", name=f"{XSS}.json", sha256="b" * 64, size=99
            ),
        ],
        evidence=[
            EvidenceFile(
                path="probe.json",
                sha256="b" * 64,
                tool="aisec-probe",
                tool_version="0.0.0-test",
                generated_at=NOW,
                subject="aisec-reference:guarded",
                counted=True,
                bound_to="chat-llm endpoint aisec-reference:guarded",
                reason="probe target is a declared endpoint",
                signature="unsigned",
                reference_target=True,
            ),
            EvidenceFile(
                path=f"other {XSS}.json",
                sha256="c" * 64,
                tool="aisec-scan",
                tool_version="0.0.0-test",
                generated_at=NOW,
                subject="elsewhere.bin",
                counted=False,
                reason="elsewhere.bin is not a model artifact or dataset this system declares",
                signature="invalid",
            ),
        ],
        warnings=[
            CheckWarning(
                code=WarningCode.CLAIM_CONTRADICTS_SYSTEM,
                subject="human-approval",
                message=f"claimed implemented, but the system file says: {XSS}",
            )
        ],
    )
    data.update(overrides)
    return AssessmentResult(**data)
