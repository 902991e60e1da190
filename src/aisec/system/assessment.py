"""Schema and loader of an assessment: the state of each control for one AI system.

It is the statement of applicability in file form: status, owner, role override, evidence
references and notes per control, and a justification for every control declared not applicable;
plus the risk owner's treatment decisions (`decisions:`), the people who approved the assessment and
the evidence policy (maximum age, trusted signing keys). Nothing is accepted without a decision.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aisec.catalog.schema import ID_PATTERN, Role
from aisec.common.errors import InputError
from aisec.common.yamlio import LocatedYaml, load_yaml_file, load_yaml_text, validate_located


class ControlStatus(StrEnum):
    NOT_IMPLEMENTED = "not-implemented"
    PLANNED = "planned"
    PARTIAL = "partial"
    IMPLEMENTED = "implemented"
    VERIFIED = "verified"

    @property
    def strength(self) -> float:
        """Share of the control's catalogue effect that counts towards residual risk."""
        return _STRENGTH[self]  # StrEnum hashes as its string: no enum attribute lookup


_STRENGTH = {
    "not-implemented": 0.0,
    "planned": 0.0,
    "partial": 0.5,
    "implemented": 1.0,
    "verified": 1.0,
}


Text = Annotated[str, Field(min_length=1, max_length=200)]


class ControlState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    status: ControlStatus = ControlStatus.NOT_IMPLEMENTED
    applicable: bool = True
    justification: str | None = Field(default=None, max_length=2000)
    owner: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    evidence: list[str] = Field(default_factory=list)
    notes: str | None = Field(default=None, max_length=4000)
    due: dt.date | None = None
    supplier_provided: bool | None = Field(
        default=None,
        description="expected from the model supplier, not our own work; null: decided by "
        "role (vendor-side controls of a model we neither train nor host)",
    )
    supplier: str | None = Field(default=None, max_length=200)
    supplier_evidence: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list,
        description="the supplier's evidence or attestation (report, certificate, contract clause)",
    )

    @model_validator(mode="after")
    def _excluded_needs_reason(self) -> ControlState:
        if not self.applicable and not (self.justification and self.justification.strip()):
            raise ValueError("a control marked applicable: false needs a justification")
        return self


class RiskBands(BaseModel):
    """Upper bounds (inclusive) of each band on the L x I product; above `high` is critical."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    low: int = Field(default=4, ge=1)
    medium: int = Field(default=9, ge=1)
    high: int = Field(default=16, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> RiskBands:
        if not self.low < self.medium < self.high:
            raise ValueError("bands must satisfy low < medium < high")
        return self


class RiskSettings(BaseModel):
    """The organisation's risk method: 1..levels likelihood x impact, ISO/IEC 27005 style."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    levels: int = Field(default=5, ge=3, le=10, description="points on each axis")
    acceptance: int = Field(default=8, ge=1, le=100, description="highest acceptable L x I score")
    bands: RiskBands = Field(default_factory=RiskBands)

    @model_validator(mode="after")
    def _fits_scale(self) -> RiskSettings:
        top = self.levels * self.levels
        if self.acceptance > top or self.bands.high >= top:
            raise ValueError(
                f"acceptance and bands must stay below {top} on a {self.levels}-level scale"
            )
        return self


class Treatment(StrEnum):
    """ISO/IEC 27005 risk treatment options."""

    MITIGATE = "mitigate"
    ACCEPT = "accept"
    AVOID = "avoid"
    TRANSFER = "transfer"


class RiskDecision(BaseModel):
    """The risk owner's treatment of one risk (threat on a component, or on all components)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    threat: str = Field(pattern=ID_PATTERN)
    component: str | None = Field(
        default=None, max_length=60, description="model id or 'system'; null: every component"
    )
    treatment: Treatment
    risk_owner: Text
    decided_by: Text = Field(description="name and role of who took the decision")
    decided_on: dt.date
    review_by: dt.date | None = Field(
        default=None, description="the decision expires on this date (required to accept)"
    )
    justification: str | None = Field(default=None, max_length=4000)
    evidence: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list,
        description="evidence the decision was taken in view of; a threat demonstrated by "
        "failing evidence can be accepted only when this names that evidence",
    )
    transferred_to: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _complete(self) -> RiskDecision:
        if self.treatment is not Treatment.MITIGATE and not (
            self.justification and self.justification.strip()
        ):
            raise ValueError(f"a decision to {self.treatment.value} needs a justification")
        if self.treatment is Treatment.ACCEPT and self.review_by is None:
            raise ValueError("an acceptance needs review_by (the date it expires)")
        if self.review_by is not None and self.review_by < self.decided_on:
            raise ValueError("review_by is before decided_on")
        if self.treatment is Treatment.TRANSFER and not self.transferred_to:
            raise ValueError("a transfer needs transferred_to (insurer, supplier, contract)")
        return self


class EvidencePolicy(BaseModel):
    """How much evidence is trusted: maximum age and the public keys that sign evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    max_age_days: int = Field(default=365, ge=1, le=3650)
    trusted_keys: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list,
        description="PEM public keys (paths relative to the assessment) whose signatures make "
        "evidence 'signed-evidence-verified'",
    )


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    system: str = Field(pattern=ID_PATTERN)
    assessor: str | None = Field(default=None, max_length=200)
    date: dt.date | None = None
    approvers: list[Text] = Field(default_factory=list)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    evidence: EvidencePolicy = Field(default_factory=EvidencePolicy)
    controls: dict[str, ControlState] = Field(default_factory=dict)
    decisions: list[RiskDecision] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_decision_per_risk(self) -> Assessment:
        seen: set[tuple[str, str | None]] = set()
        for d in self.decisions:
            key = (d.threat, d.component)
            if key in seen:
                where = f" on {d.component}" if d.component else ""
                raise ValueError(f"two decisions for {d.threat}{where}")
            seen.add(key)
        return self


def load_assessment(
    path: Path, known_controls: set[str] | None = None, known_threats: set[str] | None = None
) -> Assessment:
    """Read an assessment; unknown control or threat ids are an error naming file and line."""
    return _validated(load_yaml_file(path), path, known_controls, known_threats)


def parse_assessment_text(
    text: str,
    source: str,
    known_controls: set[str] | None = None,
    known_threats: set[str] | None = None,
) -> Assessment:
    """The same checks as `load_assessment` for YAML held as text (the team server)."""
    return _validated(load_yaml_text(text, source), Path(source), known_controls, known_threats)


def _validated(
    located: LocatedYaml,
    path: Path,
    known_controls: set[str] | None,
    known_threats: set[str] | None,
) -> Assessment:
    if not isinstance(located.data, dict):
        raise InputError(
            "expected a mapping with 'system' and 'controls'", source=str(path), line=1
        )
    if "system" not in located.data and {"models", "owner"} <= set(located.data):
        raise InputError(
            "this is a system description, not an assessment",
            source=str(path),
            line=1,
            hint="pass it as the SYSTEM argument; create an assessment with 'aisec init SYSTEM.yaml'",
        )
    assessment = validate_located(Assessment, located)
    if known_controls is not None:
        for control_id in assessment.controls:
            if control_id not in known_controls:
                raise InputError(
                    f"unknown control {control_id!r}",
                    source=str(path),
                    line=located.line_of(("controls", control_id)),
                    field=f"controls.{control_id}",
                    hint="run 'aisec catalog list controls' for valid ids",
                )
    if known_threats is not None:
        for index, decision in enumerate(assessment.decisions):
            if decision.threat not in known_threats:
                raise InputError(
                    f"unknown threat {decision.threat!r}",
                    source=str(path),
                    line=located.line_of(("decisions", index, "threat")),
                    field=f"decisions[{index}].threat",
                    hint="run 'aisec catalog list threats' for valid ids",
                )
    return assessment
