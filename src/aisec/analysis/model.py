"""Result types of the analysis: what reports render and what the JSON export contains.

Pydantic (frozen) so the JSON report is simply `model_dump(mode="json")` and its schema is
published from the same classes (`aisec schema result`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aisec.catalog.schema import Asset, Category, Phase, Role
from aisec.system.assessment import ControlStatus


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThreatDecision(Frozen):
    """Whether one threat applies to one component, and why (facts in plain words)."""

    threat_id: str
    threat_name: str
    component: str  # model id, or 'system'
    applicable: bool
    rationale: list[str] = Field(description="facts that made it apply, or the reason it does not")
    aggravating: list[str] = Field(default_factory=list)
    easing: list[str] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ControlContribution:
    """How much one control currently lowers one risk item (a plain dataclass: there are many)."""

    control_id: str
    status: ControlStatus
    effective_strength: float
    likelihood_reduction: float
    impact_reduction: float


class RiskItem(Frozen):
    """One line of the AI risk register: a threat on a component, before and after controls."""

    threat_id: str
    threat_name: str
    component: str
    assets: list[Asset]
    properties: list[str] = Field(description="affected properties (C, I, A, beyond-CIA)")
    likelihood: int
    impact: int
    inherent: int
    inherent_band: str
    residual_likelihood: int
    residual_impact: int
    residual: int
    residual_band: str
    accepted: bool
    treatment: str
    controls: list[ControlContribution]
    owner: str | None = None
    role: Role
    demonstrated_by: list[str] = Field(
        default_factory=list, description="evidence showing the attack works"
    )
    impact_reason: str


class EvidenceOutcome(Frozen):
    outcome: str  # verified | failed | inconclusive
    sources: list[str]
    detail: str


class ControlView(Frozen):
    """A control as seen by the statement of applicability."""

    id: str
    name: str
    category: Category
    phases: list[Phase]
    role: Role
    role_overridden: bool
    status: ControlStatus
    effective_status: ControlStatus
    applicable: bool
    relevant: bool
    reason: str
    owner: str | None = None
    evidence: list[str] = Field(default_factory=list)
    evidence_outcome: EvidenceOutcome | None = None
    mitigates: list[str] = Field(
        default_factory=list, description="applicable threats it mitigates"
    )
    notes: str | None = None


class ReadinessScore(Frozen):
    key: str
    label: str
    score: float = Field(description="0-100, weighted by how much each control lowers risk")
    controls: int
    implemented: int
    assessed: bool = Field(description="False when no relevant control exists: never read as 100")


class Readiness(Frozen):
    overall: ReadinessScore
    by_category: list[ReadinessScore]
    by_phase: list[ReadinessScore]
    by_role: list[ReadinessScore]


class RoadmapItem(Frozen):
    rank: int
    control_id: str
    control_name: str
    category: Category
    role: Role
    current_status: ControlStatus
    claimed_status: ControlStatus | None = Field(
        default=None, description="status in the assessment, before evidence"
    )
    overturned_by_evidence: bool = Field(
        default=False, description="claimed (partly) in place, but probe evidence failed"
    )
    risk_reduction: int = Field(description="sum of residual risk points removed if implemented")
    threats: list[str]
    depends_on: list[str]
    side_effects: list[str]


class Interaction(Frozen):
    kind: str  # conflict | missing-dependency | trade-off
    controls: list[str]
    severity: str  # info | warning
    message: str


class PracticeAnswer(Frozen):
    practice_id: str
    practice_name: str
    question_id: str
    question: str
    controls: list[str]
    readiness: float | None = Field(
        description="share of the question's relevant controls in place"
    )


class Totals(Frozen):
    threats_applicable: int
    threats_excluded: int
    risks: int
    risks_above_acceptance: int
    inherent_sum: int
    residual_sum: int
    max_inherent: int
    max_residual: int
    controls_relevant: int
    controls_in_place: int


class AssessmentResult(Frozen):
    """Everything one assessment of one system produced."""

    format: str = "aisec-result/1"
    generated_at: datetime
    aisec_version: str
    catalog_version: str
    system_id: str
    system_name: str
    system_description: str
    owner: str
    organisation_role: str
    archetypes: list[str]
    assessed: bool = Field(description="False when the assessment file was absent (all defaults)")
    acceptance: int
    bands: dict[str, int]
    decisions: list[ThreatDecision]
    risks: list[RiskItem]
    controls: list[ControlView]
    readiness: Readiness
    roadmap: list[RoadmapItem]
    interactions: list[Interaction]
    practices: list[PracticeAnswer]
    totals: Totals
    evidence_files: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
