"""The whole analysis of one system as one pure function: derive, score, read readiness.

No I/O and no clock: the caller passes the catalogue, the parsed inputs and the timestamp, so the
same inputs always give the same result (and the benchmark measures only this).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aisec import __version__
from aisec.analysis.admission import LoadedEvidence, admit
from aisec.analysis.claims import contradictions
from aisec.analysis.controls import control_views
from aisec.analysis.decisions import EvidenceName, apply_decisions
from aisec.analysis.derive import derive_threats
from aisec.analysis.facts import FactCache
from aisec.analysis.interactions import interactions
from aisec.analysis.model import (
    AssessmentResult,
    CheckWarning,
    EvidenceFile,
    InputFile,
    RiskItem,
    Totals,
    WarningCode,
)
from aisec.analysis.readiness import practice_answers, readiness
from aisec.analysis.roadmap import roadmap
from aisec.analysis.scoring import score_risks
from aisec.catalog import Catalog
from aisec.evidence.apply import EvidenceIndex, index_evidence
from aisec.system.assessment import Assessment, RiskSettings
from aisec.system.schema import AISystem


def assess(
    catalog: Catalog,
    system: AISystem,
    assessment: Assessment | None,
    generated_at: datetime,
    evidence: EvidenceIndex | None = None,
    *,
    loaded_evidence: Sequence[LoadedEvidence] | None = None,
    inputs: Sequence[InputFile] = (),
) -> AssessmentResult:
    """`loaded_evidence` (files read and hashed by the service) is admitted against the system
    and indexed here; `evidence` is an already-built index (tests, the benchmark)."""
    settings = assessment.risk if assessment else RiskSettings()
    warnings: list[CheckWarning] = []
    files: list[EvidenceFile] = []
    if loaded_evidence is not None:
        max_age = assessment.evidence.max_age_days if assessment else 365
        admission = admit(loaded_evidence, system, max_age, generated_at)
        evidence = index_evidence(
            admission.counted,
            set(catalog.controls),
            set(catalog.threats),
            signed=admission.signed,
            hashes=admission.hashes,
        )
        files, warnings = admission.files, list(admission.warnings)
    evidence = evidence or EvidenceIndex()
    today = generated_at.date()
    facts: FactCache = {}  # facts evaluated once per system, for derivation and likelihood
    decisions = derive_threats(catalog, system, facts)
    views, control_warnings = control_views(catalog, decisions, assessment, evidence, system, today)
    warnings += control_warnings + contradictions(system, views)
    scored, base = score_risks(
        catalog, system, decisions, views, evidence, settings, system.owner.name, facts
    )
    names = {
        threat: [EvidenceName(path, sha) for path, sha in pairs]
        for threat, pairs in evidence.demonstrated_files.items()
    }
    risks, decision_warnings = apply_decisions(
        scored, assessment.decisions if assessment else [], today, names
    )
    warnings += decision_warnings
    in_place = [
        v for v in views if v.relevant and v.applicable and v.effective_status.strength >= 1.0
    ]
    plan = roadmap(catalog, views, risks, settings, inherent_1to5=base, today=today)
    warnings += [
        CheckWarning(
            code=WarningCode.ACTION_OVERDUE,
            subject=item.control_id,
            message=f"due {item.due.isoformat() if item.due else '?'} and not in place"
            + (f" (owner {item.owner})" if item.owner else ""),
        )
        for item in plan
        if item.overdue
    ]
    notes = []
    if assessment is None:
        notes.append(
            "No assessment file was given: every control counts as not implemented, so "
            "residual risk equals inherent risk. Run 'aisec init' to create one."
        )
    applicable = {d.threat_id for d in decisions if d.applicable}
    foreign = sorted(set(evidence.demonstrated) - applicable)
    if foreign:
        warnings.append(
            CheckWarning(
                code=WarningCode.EVIDENCE_NOT_APPLICABLE,
                subject=", ".join(foreign),
                message="evidence demonstrates threats that do not apply to this system: "
                "check that the evidence files belong to this system",
            )
        )
    if evidence.unknown_ids:
        warnings.append(
            CheckWarning(
                code=WarningCode.EVIDENCE_UNKNOWN_IDS,
                subject=", ".join(evidence.unknown_ids),
                message="evidence named ids unknown to the catalogue (ignored)",
            )
        )
    return AssessmentResult(
        generated_at=generated_at,
        aisec_version=__version__,
        catalog_version=catalog.version,
        system_id=system.id,
        system_name=system.name,
        system_description=system.description.strip(),
        owner=system.owner.name,
        organisation_role=system.organisation_role.value,
        archetypes=[a.value for a in system.archetypes],
        assessed=assessment is not None,
        acceptance=settings.acceptance,
        bands={
            "low": settings.bands.low,
            "medium": settings.bands.medium,
            "high": settings.bands.high,
            "levels": settings.levels,
        },
        decisions=decisions,
        risks=risks,
        controls=views,
        readiness=readiness(catalog, views, risks),
        roadmap=plan,
        interactions=interactions(catalog, system, views),
        practices=practice_answers(catalog, views),
        totals=Totals(
            threats_applicable=len({d.threat_id for d in decisions if d.applicable}),
            threats_excluded=len(
                {d.threat_id for d in decisions if not d.applicable}
                - {d.threat_id for d in decisions if d.applicable}
            ),
            risks=len(risks),
            risks_above_acceptance=sum(1 for r in risks if not r.within_appetite),
            inherent_sum=sum(r.inherent for r in risks),
            residual_sum=sum(r.residual for r in risks),
            max_inherent=max((r.inherent for r in risks), default=0),
            max_residual=max((r.residual for r in risks), default=0),
            controls_relevant=sum(1 for v in views if v.relevant and v.applicable),
            controls_in_place=len(in_place),
            decisions_needed=sum(1 for r in risks if r.decision_state.needs_decision),
            demonstrated=sum(1 for r in risks if r.demonstrated_by),
            accepted=sum(1 for r in risks if r.accepted),
            overdue_actions=sum(1 for i in plan if i.overdue),
        ),
        evidence_files=list(evidence.files),
        notes=notes,
        assessor=assessment.assessor if assessment else None,
        assessment_date=assessment.date if assessment else None,
        approvers=list(assessment.approvers) if assessment else [],
        inputs=list(inputs),
        evidence=files,
        warnings=warnings,
    )


def decisions_needed(risks: Sequence[RiskItem]) -> list[RiskItem]:
    """Risks a person still has to decide on, worst first (executive summary, CLI)."""
    return [r for r in risks if r.decision_state.needs_decision]
