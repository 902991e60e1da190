"""Result types of the analysis: what reports render and what the JSON export contains.

Pydantic (frozen) so the JSON report is simply `model_dump(mode="json")` and its schema is
published from the same classes (`aisec schema result`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from aisec.catalog.schema import Asset, Category, Phase, Role
from aisec.system.assessment import ControlStatus, RiskDecision


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Assurance(StrEnum):
    """How far a control's state is established: one notion used by every section."""

    NONE = "none"  # not in place, and nothing shows otherwise
    CLAIMED = "claimed"  # in place according to the assessment only
    EVIDENCE_VERIFIED = "evidence-verified"  # passing evidence bound to this system
    SIGNED_EVIDENCE_VERIFIED = "signed-evidence-verified"  # ... from a file signed by a trusted key
    OVERTURNED = "overturned"  # failing evidence contradicts the claim
    SUPPLIER_PROVIDED = "supplier-provided"  # expected from the model supplier
    NOT_APPLICABLE = "not-applicable"  # excluded with a justification


class DecisionState(StrEnum):
    """Where a risk stands with its owner. Only ACCEPTED* mean a person accepted it."""

    DECISION_REQUIRED = "decision-required"  # above appetite, no valid decision
    AWAITING_ACCEPTANCE = "awaiting-acceptance"  # within appetite, awaiting owner's acceptance
    ACCEPTED = "accepted"
    ACCEPTED_DEMONSTRATED = "accepted-despite-evidence"  # justified, naming the failing evidence
    NEEDS_JUSTIFICATION = "demonstrated-requires-justification"  # accepted without naming it
    EXPIRED = "expired"  # review_by has passed
    MITIGATING = "mitigating"  # the owner chose to mitigate; the roadmap carries the work
    AVOIDED = "avoided"
    TRANSFERRED = "transferred"

    @property
    def needs_decision(self) -> bool:
        return self in _OPEN

    @property
    def label(self) -> str:
        return _LABELS[self.value]


_OPEN = {
    "decision-required",
    "awaiting-acceptance",
    "demonstrated-requires-justification",
    "expired",
}
_LABELS = {
    "decision-required": "decision required",
    "awaiting-acceptance": "within appetite - awaiting owner's acceptance",
    "accepted": "accepted",
    "accepted-despite-evidence": "accepted despite demonstrating evidence",
    "demonstrated-requires-justification": "demonstrated - acceptance must name the evidence",
    "expired": "decision expired - review required",
    "mitigating": "mitigation decided",
    "avoided": "avoided",
    "transferred": "transferred",
}


class WarningCode(StrEnum):
    VERIFIED_WITHOUT_EVIDENCE = "verified-without-evidence"
    CLAIM_CONTRADICTS_SYSTEM = "claim-contradicts-system"
    EVIDENCE_STALE = "evidence-stale"
    EVIDENCE_UNBOUND = "evidence-unbound"
    EVIDENCE_SIGNATURE_INVALID = "evidence-signature-invalid"
    EVIDENCE_REFERENCE_TARGET = "evidence-reference-target"
    EVIDENCE_NOT_APPLICABLE = "evidence-not-applicable"
    EVIDENCE_UNKNOWN_IDS = "evidence-unknown-ids"
    EVIDENCE_PASSED_NOT_IN_PLACE = "evidence-passed-not-in-place"
    DECISION_EXPIRED = "decision-expired"
    DECISION_NEEDS_EVIDENCE = "decision-needs-evidence"
    DECISION_UNMATCHED = "decision-unmatched"
    ACTION_OVERDUE = "action-overdue"
    IMPORT_QUESTIONS_OPEN = "import-questions-open"


class CheckWarning(Frozen):
    """A claim that the facts or the evidence do not support, shown in CLI, report and JSON."""

    code: WarningCode
    subject: str = Field(description="control id, risk key, evidence file or decision")
    message: str


class InputFile(Frozen):
    """One input of the assessment with its SHA-256, so `aisec verify` can recheck it."""

    kind: str = Field(description="system | assessment | evidence | overlay | trusted-key")
    path: str = Field(description="as given, relative to the folder the run started in")
    name: str = Field(description="file name, used by 'aisec verify --inputs DIR'")
    sha256: str
    size: int


class EvidenceFile(Frozen):
    """What one evidence file is, and whether (and why) it counts for this system."""

    path: str
    sha256: str
    tool: str
    tool_version: str
    generated_at: datetime
    subject: str
    counted: bool
    bound_to: str | None = Field(
        default=None, description="the declared artifact, endpoint or dataset the subject matched"
    )
    reason: str = Field(description="why it counts or does not")
    signature: str = Field(description="signed | unsigned | invalid")
    signer: str | None = Field(default=None, description="SHA-256 of the trusted public key")
    reference_target: bool = Field(
        default=False, description="from aisec's built-in simulated reference target"
    )


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
    accepted: bool = Field(description="a person accepted it (decision state accepted*)")
    treatment: str = Field(description="one line: the decision, or what is required")
    controls: list[ControlContribution]
    owner: str | None = None
    role: Role
    demonstrated_by: list[str] = Field(
        default_factory=list, description="evidence showing the attack works"
    )
    impact_reason: str
    likelihood_reason: str = Field(
        default="", description="how the inherent likelihood was reached (base, reach, facts)"
    )
    key: str = Field(default="", description="threat@component, what decisions refer to")
    within_appetite: bool = Field(
        default=False, description="residual at or below the acceptance threshold"
    )
    decision_state: DecisionState = DecisionState.DECISION_REQUIRED
    decision: RiskDecision | None = None
    decision_note: str = ""
    suggested_controls: list[str] = Field(
        default_factory=list, description="controls that would lower it most"
    )


class EvidenceOutcome(Frozen):
    outcome: str  # verified | failed | inconclusive
    sources: list[str]
    detail: str
    signed: bool = Field(default=False, description="every passing source is signed")


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
    assurance: Assurance = Assurance.NONE
    supplier_provided: bool = False
    supplier: str | None = None
    supplier_evidence: list[str] = Field(default_factory=list)
    due: date | None = None
    overdue: bool = False


class ReadinessScore(Frozen):
    key: str
    label: str
    score: float = Field(description="0-100, weighted by how much each control lowers risk")
    controls: int
    implemented: int
    assessed: bool = Field(description="False when no relevant control exists: never read as 100")


class Readiness(Frozen):
    overall: ReadinessScore = Field(description="our own work (supplier-provided items excluded)")
    supplier: ReadinessScore = Field(
        description="controls expected from suppliers, counted as in place when attested"
    )
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
    owner: str | None = None
    due: date | None = None
    overdue: bool = False
    supplier_provided: bool = Field(
        default=False, description="the supplier's open item, not our own work"
    )
    assurance: Assurance = Assurance.NONE


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
    decisions_needed: int = 0
    demonstrated: int = Field(default=0, description="risk items evidence showed exploitable")
    accepted: int = 0
    overdue_actions: int = 0


class AssessmentResult(Frozen):
    """Everything one assessment of one system produced."""

    format: str = "aisec-result/2"
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
    assessor: str | None = None
    assessment_date: date | None = None
    approvers: list[str] = Field(default_factory=list)
    inputs: list[InputFile] = Field(
        default_factory=list, description="manifest of every input with its SHA-256"
    )
    evidence: list[EvidenceFile] = Field(default_factory=list)
    warnings: list[CheckWarning] = Field(default_factory=list)
