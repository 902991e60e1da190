"""Coverage of an external framework by aisec's catalogue and, optionally, by an assessment.

A compliance officer asks "what does our ISO/IEC 27090-aligned work give us for ISO 42001, the
AI Act, ATLAS...?". This pure function answers per framework item, from the crosswalk data:

* Without control states: which items the catalogue touches (through a control link, or for
  threat-shaped items through a linked threat and the controls that mitigate it), which it does
  not, and which are marked outside the scope of security guidance.
* With control states, each item gets one status by this rule (see `RULE`):

  - a control *counts* if it is applicable; implemented/verified = done (1), partial = 0.5,
    planned / not-implemented / not assessed = 0;
  - control-shaped item: **supported** if a counted control whose relationship is `equal` or
    `superset` is done, or every counted control is done; **partly** if any counted control has
    progress (> 0); otherwise **not supported**;
  - threat-shaped item: a linked threat is *addressed* when the progress of its counted
    mitigating controls averages at least `THREAT_ADDRESSED_SHARE`; **supported** if every linked
    threat is addressed, **partly** if any control behind it has progress, else **not supported**;
  - **not applicable** if every control behind the item was declared not applicable.

The states are the *effective* ones (`states_from_views`: evidence-adjusted, the same the risk
register uses), so a control overturned by failing evidence never supports a framework item.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from aisec.analysis.coverage_index import Json, RunStates, coverage_json
from aisec.analysis.model import ControlView
from aisec.catalog import Catalog
from aisec.catalog.crosswalk import Crosswalk, Relationship
from aisec.catalog.frameworks import Framework, Shape
from aisec.system.assessment import Assessment, ControlStatus

THREAT_ADDRESSED_SHARE = 0.5

RULE = (
    "Controls count when applicable; implemented or verified = done, partial = half. "
    "Requirement-like items are supported when a control that fully covers them (equal/superset) "
    "is done or when all mapped controls are done, partly supported when any mapped control has "
    "progress. Threat-like items are supported when, for every linked threat, the mitigating "
    f"controls average at least {THREAT_ADDRESSED_SHARE:.0%} progress."
)


@dataclass(frozen=True)
class ControlInput:
    """The state of one aisec control, as the coverage view needs it."""

    status: ControlStatus
    evidence: tuple[str, ...] = ()
    applicable: bool = True
    owner: str | None = None
    justification: str | None = field(default=None, compare=False)
    assurance: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ControlStatus(self.status))
        object.__setattr__(self, "evidence", tuple(self.evidence))


ControlStates = Mapping[str, ControlInput]


class ItemStatus(StrEnum):
    SUPPORTED = "supported"
    PARTLY = "partly"
    NOT_SUPPORTED = "not-supported"
    NOT_APPLICABLE = "not-applicable"
    TOUCHED = "touched"  # catalogue reaches it (no assessment given)
    NOT_MAPPED = "not-mapped"  # nothing in aisec's catalogue reaches it
    OUTSIDE_SCOPE = "outside-scope"  # explicitly beyond security guidance, with a reason


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ControlBehind(_Frozen):
    control: str
    name: str
    relationship: Relationship | None = None  # None when reached through threats
    why: str | None = None
    via_threats: list[str] = []
    status: ControlStatus | None = None  # None: not in the assessment (or no assessment)
    applicable: bool = True
    evidence: list[str] = []


class ThreatBehind(_Frozen):
    threat: str
    name: str
    relationship: Relationship
    why: str
    applies: bool = True  # False when the system's facts rule the threat out
    addressed: bool | None = None  # None without an assessment (or when it does not apply)


class ItemCoverage(_Frozen):
    id: str
    title: str
    label_is_own: bool
    group: str | None
    shape: Shape
    status: ItemStatus
    note: str | None = None
    paragraphs: str | None = None  # where the assessor reads the item (NIST, AI Act)
    threats: list[ThreatBehind] = []
    controls: list[ControlBehind] = []


class FrameworkCoverage(_Frozen):
    framework: str
    name: str
    version: str
    namespace: str
    licence: str
    attribution: str | None = None
    assessed: bool
    rule: str
    counts: dict[ItemStatus, int]
    items: list[ItemCoverage]

    @property
    def touched(self) -> int:
        return sum(1 for item in self.items if item.controls)


def coverage_data(
    catalog: Catalog,
    crosswalks: Mapping[str, Crosswalk],
    framework: Framework,
    control_states: ControlStates | None = None,
    applicable_threats: Collection[str] | None = None,
) -> Json:
    """`coverage` as JSON data, exactly `coverage(...).model_dump(mode="json")`.

    Reports store every framework's coverage as JSON but show only a few as models, so the
    JSON is built directly (no model per item) and models are made only where needed.
    """
    many = coverage_data_many(catalog, crosswalks, [framework], control_states, applicable_threats)
    return many[framework.key]


def coverage_data_many(
    catalog: Catalog,
    crosswalks: Mapping[str, Crosswalk],
    frameworks: Iterable[Framework],
    control_states: ControlStates | None = None,
    applicable_threats: Collection[str] | None = None,
) -> dict[str, Json]:
    """`coverage_data` for several frameworks of one system, sharing the per-run work."""
    states = None
    if control_states is not None:
        states = {
            key: (s.status.value, s.applicable, s.evidence, s.status.strength)
            for key, s in control_states.items()
        }
    run = RunStates(catalog, states, THREAT_ADDRESSED_SHARE)
    return {
        f.key: coverage_json(crosswalks[f.key], f, run, applicable_threats, RULE)
        for f in frameworks
    }


def coverage(
    catalog: Catalog,
    crosswalks: Mapping[str, Crosswalk],
    framework: Framework,
    control_states: ControlStates | None = None,
    applicable_threats: Collection[str] | None = None,
) -> FrameworkCoverage:
    """Per-item coverage of `framework`; with `control_states`, supported/partly/not per RULE.

    `applicable_threats` (threat ids that apply to a system) makes threat-shaped items reached
    only through other threats "not applicable"; None means every catalogue threat counts.
    """
    data = coverage_data(catalog, crosswalks, framework, control_states, applicable_threats)
    return FrameworkCoverage.model_validate(data)


def states_from_assessment(assessment: Assessment) -> dict[str, ControlInput]:
    """Convert an assessment's control entries into coverage input."""
    return {
        control_id: ControlInput(
            status=state.status,
            evidence=tuple(state.evidence),
            applicable=state.applicable,
            owner=state.owner,
            justification=state.justification,
        )
        for control_id, state in assessment.controls.items()
    }


def states_from_views(views: Collection[ControlView]) -> dict[str, ControlInput]:
    """Coverage input from the analysis' effective control states (claims adjusted by evidence)."""
    return {
        v.id: ControlInput(
            status=v.effective_status,
            evidence=tuple(v.evidence)
            + tuple(v.evidence_outcome.sources if v.evidence_outcome else ()),
            applicable=v.applicable,
            owner=v.owner,
            justification=v.reason if not v.applicable else None,
            assurance=v.assurance.value,
        )
        for v in views
    }
