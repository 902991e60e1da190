"""The whole analysis of one system as one pure function: derive, score, read readiness.

No I/O and no clock: the caller passes the catalogue, the parsed inputs and the timestamp, so the
same inputs always give the same result (and the benchmark measures only this).
"""

from __future__ import annotations

from datetime import datetime

from aisec import __version__
from aisec.analysis.controls import control_views
from aisec.analysis.derive import derive_threats
from aisec.analysis.interactions import interactions
from aisec.analysis.model import AssessmentResult, Totals
from aisec.analysis.readiness import practice_answers, readiness
from aisec.analysis.roadmap import roadmap
from aisec.analysis.scoring import score_risks
from aisec.catalog import Catalog
from aisec.evidence.apply import EvidenceIndex
from aisec.system.assessment import Assessment, RiskSettings
from aisec.system.schema import AISystem


def assess(
    catalog: Catalog,
    system: AISystem,
    assessment: Assessment | None,
    generated_at: datetime,
    evidence: EvidenceIndex | None = None,
) -> AssessmentResult:
    evidence = evidence or EvidenceIndex()
    settings = assessment.risk if assessment else RiskSettings()
    decisions = derive_threats(catalog, system)
    views = control_views(catalog, decisions, assessment, evidence)
    risks, base = score_risks(
        catalog, system, decisions, views, evidence, settings, system.owner.name
    )
    in_place = [
        v for v in views if v.relevant and v.applicable and v.effective_status.strength >= 1.0
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
        notes.append(
            "Evidence demonstrates threats that do not apply to this system ("
            + ", ".join(foreign)
            + "): check that the evidence files belong to this system."
        )
    if evidence.unknown_ids:
        notes.append(
            "Evidence named ids unknown to the catalogue (ignored): "
            + ", ".join(evidence.unknown_ids)
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
        roadmap=roadmap(catalog, views, risks, settings, inherent_1to5=base),
        interactions=interactions(catalog, system, views),
        practices=practice_answers(catalog, views),
        totals=Totals(
            threats_applicable=len({d.threat_id for d in decisions if d.applicable}),
            threats_excluded=len(
                {d.threat_id for d in decisions if not d.applicable}
                - {d.threat_id for d in decisions if d.applicable}
            ),
            risks=len(risks),
            risks_above_acceptance=sum(1 for r in risks if not r.accepted),
            inherent_sum=sum(r.inherent for r in risks),
            residual_sum=sum(r.residual for r in risks),
            max_inherent=max((r.inherent for r in risks), default=0),
            max_residual=max((r.residual for r in risks), default=0),
            controls_relevant=sum(1 for v in views if v.relevant and v.applicable),
            controls_in_place=len(in_place),
        ),
        evidence_files=list(evidence.files),
        notes=notes,
    )
