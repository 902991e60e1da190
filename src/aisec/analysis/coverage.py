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

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from aisec.analysis.model import ControlView
from aisec.catalog import Catalog
from aisec.catalog.crosswalk import Crosswalk, Relationship, SourceKind
from aisec.catalog.frameworks import Framework, FrameworkItem, Shape
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


def _progress(state: ControlInput | None) -> float:
    return 0.0 if state is None else state.status.strength


def _is_done(state: ControlInput | None) -> bool:
    return state is not None and state.status.strength >= 1.0


def _counted(behind: list[ControlBehind]) -> list[ControlBehind]:
    return [c for c in behind if c.applicable]


def _behind(
    catalog: Catalog,
    control_id: str,
    states: ControlStates | None,
    *,
    relationship: Relationship | None = None,
    why: str | None = None,
    via_threats: list[str] | None = None,
) -> ControlBehind:
    state = states.get(control_id) if states is not None else None
    control = catalog.controls.get(control_id)
    return ControlBehind(
        control=control_id,
        name=control.name if control else control_id,
        relationship=relationship,
        why=why,
        via_threats=via_threats or [],
        status=state.status if state else None,
        applicable=state.applicable if state else True,
        evidence=list(state.evidence) if state else [],
    )


def _control_item_status(behind: list[ControlBehind], states: ControlStates) -> ItemStatus:
    counted = _counted(behind)
    if not counted:
        return ItemStatus.NOT_APPLICABLE
    done = [_is_done(states.get(c.control)) for c in counted]
    strong = any(
        d and c.relationship is not None and c.relationship.covers_item
        for c, d in zip(counted, done, strict=True)
    )
    if strong or all(done):
        return ItemStatus.SUPPORTED
    if any(_progress(states.get(c.control)) > 0 for c in counted):
        return ItemStatus.PARTLY
    return ItemStatus.NOT_SUPPORTED


def _threat_addressed(catalog: Catalog, threat_id: str, states: ControlStates) -> bool:
    mitigating = [
        c for c in catalog.controls_for(threat_id) if states.get(c) is None or states[c].applicable
    ]
    if not mitigating:
        return False
    share = sum(_progress(states.get(c)) for c in mitigating) / len(mitigating)
    return share >= THREAT_ADDRESSED_SHARE


def _threat_item(
    catalog: Catalog,
    item: FrameworkItem,
    shape: Shape,
    crosswalk: Crosswalk,
    states: ControlStates | None,
    applicable: Collection[str] | None,
) -> ItemCoverage:
    links = crosswalk.for_target(item.id, SourceKind.THREAT)
    via: dict[str, list[str]] = {}
    threats: list[ThreatBehind] = []
    for link in links:
        applies = applicable is None or link.source in applicable
        if applies:
            for control_id in catalog.controls_for(link.source):
                via.setdefault(control_id, []).append(link.source)
        addressed = (
            _threat_addressed(catalog, link.source, states)
            if states is not None and applies
            else None
        )
        threat = catalog.threats.get(link.source)
        threats.append(
            ThreatBehind(
                threat=link.source,
                name=threat.name if threat else link.source,
                relationship=link.rel,
                why=link.why,
                applies=applies,
                addressed=addressed,
            )
        )
    behind = [_behind(catalog, c, states, via_threats=t) for c, t in via.items()]
    live = [t for t in threats if t.applies]
    note = None
    if not links:
        status = ItemStatus.NOT_MAPPED
    elif not live:
        status = ItemStatus.NOT_APPLICABLE
        note = "none of the threats behind this item applies to the system"
    elif states is None:
        status = ItemStatus.TOUCHED
    elif not _counted(behind):
        status = ItemStatus.NOT_APPLICABLE
        note = "every control behind this item was declared not applicable"
    elif all(t.addressed for t in live):
        status = ItemStatus.SUPPORTED
    elif any(_progress(states.get(c.control)) > 0 for c in _counted(behind)):
        status = ItemStatus.PARTLY
    else:
        status = ItemStatus.NOT_SUPPORTED
    return _item(item, shape, status, note=note, threats=threats, controls=behind)


def _control_item(
    catalog: Catalog,
    item: FrameworkItem,
    shape: Shape,
    crosswalk: Crosswalk,
    states: ControlStates | None,
) -> ItemCoverage:
    links = crosswalk.for_target(item.id, SourceKind.CONTROL)
    behind = [
        _behind(catalog, link.source, states, relationship=link.rel, why=link.why) for link in links
    ]
    if not links:
        status = ItemStatus.NOT_MAPPED
    elif states is None:
        status = ItemStatus.TOUCHED
    else:
        status = _control_item_status(behind, states)
    return _item(item, shape, status, controls=behind)


def _item(
    item: FrameworkItem,
    shape: Shape,
    status: ItemStatus,
    note: str | None = None,
    threats: list[ThreatBehind] | None = None,
    controls: list[ControlBehind] | None = None,
) -> ItemCoverage:
    return ItemCoverage(
        id=item.id,
        title=item.title,
        label_is_own=item.label_is_own,
        group=item.group,
        shape=shape,
        status=status,
        note=note,
        paragraphs=item.paragraphs,
        threats=threats or [],
        controls=controls or [],
    )


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
    crosswalk = crosswalks[framework.key]
    items: list[ItemCoverage] = []
    for item in framework.items.values():
        shape = framework.shape_of(item.id)
        if item.id in crosswalk.outside_scope:
            items.append(
                _item(item, shape, ItemStatus.OUTSIDE_SCOPE, note=crosswalk.outside_scope[item.id])
            )
        elif shape is Shape.THREAT:
            items.append(
                _threat_item(catalog, item, shape, crosswalk, control_states, applicable_threats)
            )
        else:
            items.append(_control_item(catalog, item, shape, crosswalk, control_states))
    counts = {status: 0 for status in ItemStatus}
    for entry in items:
        counts[entry.status] += 1
    return FrameworkCoverage(
        framework=framework.key,
        name=framework.name,
        version=framework.version,
        namespace=framework.namespace,
        licence=framework.licence,
        attribution=framework.attribution,
        assessed=control_states is not None,
        rule=RULE,
        counts=counts,
        items=items,
    )


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
