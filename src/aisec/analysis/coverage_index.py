"""The framework coverage of `analysis.coverage`, computed fast from a per-catalogue index.

A report carries the coverage of every bundled framework (about 600 items and 2,000 control
links), and the team server re-assesses whole workspaces, so this runs thousands of times. What
does not depend on the system (which links reach an item, names, relationships, rationales,
which controls mitigate a threat) is worked out once per (catalogue, crosswalk, framework) and
kept; a run then only reads the control states and the applicable threats, and writes the JSON
data directly (models are made afterwards only for what a report shows). The rule is the one
`analysis.coverage` documents (`RULE`); the output is exactly `FrameworkCoverage` dumped as JSON.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any

from aisec.catalog import Catalog
from aisec.catalog.crosswalk import Crosswalk, SourceKind
from aisec.catalog.frameworks import Framework, Shape

Json = dict[str, Any]
# (status JSON value or None when not assessed, applicable, evidence, progress 0..1)
State = tuple[str | None, bool, tuple[str, ...], float]
UNASSESSED: State = (None, True, (), 0.0)

SUPPORTED = "supported"
PARTLY = "partly"
NOT_SUPPORTED = "not-supported"
NOT_APPLICABLE = "not-applicable"
TOUCHED = "touched"
NOT_MAPPED = "not-mapped"
OUTSIDE_SCOPE = "outside-scope"
STATUSES = (SUPPORTED, PARTLY, NOT_SUPPORTED, NOT_APPLICABLE, TOUCHED, NOT_MAPPED, OUTSIDE_SCOPE)
NO_LIVE_THREAT = "none of the threats behind this item applies to the system"
ALL_EXCLUDED = "every control behind this item was declared not applicable"


@dataclass(frozen=True, slots=True)
class _ControlLink:
    control: str
    name: str
    rel: str
    covers: bool  # the relationship alone covers the whole item (equal/superset)
    why: str


@dataclass(frozen=True, slots=True)
class _ThreatLink:
    threat: str
    name: str
    rel: str
    why: str
    mitigated_by: tuple[tuple[str, str], ...]  # (control id, control name)


@dataclass(frozen=True, slots=True)
class _Item:
    id: str
    title: str
    label_is_own: bool
    group: str | None
    shape: str
    paragraphs: str | None
    outside: str | None  # reason, when the crosswalk lists the item outside security scope
    controls: tuple[_ControlLink, ...]
    threats: tuple[_ThreatLink, ...]
    threat_shaped: bool
    # Controls behind a threat-shaped item when every linked threat applies (the usual case),
    # in first-reached order, each with the linked threats that reach it: (id, name, threats)
    reached: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class _Plan:
    head: Json  # framework fields before `assessed`
    items: tuple[_Item, ...]


def _name(records: Mapping[str, Any], record_id: str) -> str:
    record = records.get(record_id)
    return str(record.name) if record is not None else record_id


def _build(catalog: Catalog, crosswalk: Crosswalk, framework: Framework) -> _Plan:
    items = []
    for item in framework.items.values():
        shape = item.shape or framework.shape
        controls: tuple[_ControlLink, ...] = ()
        threats: tuple[_ThreatLink, ...] = ()
        if shape is Shape.THREAT:
            threats = tuple(
                _ThreatLink(
                    link.source,
                    _name(catalog.threats, link.source),
                    link.rel.value,
                    link.why,
                    tuple(
                        (c, _name(catalog.controls, c)) for c in catalog.controls_for(link.source)
                    ),
                )
                for link in crosswalk.for_target(item.id, SourceKind.THREAT)
            )
        else:
            controls = tuple(
                _ControlLink(
                    link.source,
                    _name(catalog.controls, link.source),
                    link.rel.value,
                    link.rel.covers_item,
                    link.why,
                )
                for link in crosswalk.for_target(item.id, SourceKind.CONTROL)
            )
        items.append(
            _Item(
                item.id,
                item.title,
                item.label_is_own,
                item.group,
                shape.value,
                item.paragraphs,
                crosswalk.outside_scope.get(item.id),
                controls,
                threats,
                shape is Shape.THREAT,
                _reached(threats),
            )
        )
    head = {
        "framework": framework.key,
        "name": framework.name,
        "version": framework.version,
        "namespace": framework.namespace,
        "licence": framework.licence,
        "attribution": framework.attribution,
    }
    return _Plan(head, tuple(items))


def _reached(threats: tuple[_ThreatLink, ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    via: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for link in threats:
        for control, name in link.mitigated_by:
            via.setdefault(control, []).append(link.threat)
            names[control] = name
    return tuple((control, names[control], tuple(through)) for control, through in via.items())


# Catalogues, crosswalks and frameworks are immutable once loaded, so a plan is keyed by their
# identity; the entry holds them, so an id cannot be reused while its plan is cached.
_PLANS: dict[tuple[int, int, int], tuple[object, object, object, _Plan]] = {}
_PLANS_LOCK = Lock()
MAX_PLANS = 64


def plan_for(catalog: Catalog, crosswalk: Crosswalk, framework: Framework) -> _Plan:
    key = (id(catalog), id(crosswalk), id(framework))
    hit = _PLANS.get(key)
    if hit is not None:
        return hit[3]
    plan = _build(catalog, crosswalk, framework)
    with _PLANS_LOCK:
        while len(_PLANS) >= MAX_PLANS:  # overlay catalogues are built per run: keep it bounded
            del _PLANS[next(iter(_PLANS))]
        _PLANS[key] = (catalog, crosswalk, framework, plan)
    return plan


def _control_item(item: _Item, states: Mapping[str, State] | None) -> tuple[str, list[Json]]:
    controls = []
    counted = strong = progressed = False
    all_done = True
    for link in item.controls:
        status, applicable, evidence, progress = (
            states.get(link.control, UNASSESSED) if states is not None else UNASSESSED
        )
        controls.append(
            {
                "control": link.control,
                "name": link.name,
                "relationship": link.rel,
                "why": link.why,
                "via_threats": [],
                "status": status,
                "applicable": applicable,
                "evidence": list(evidence),
            }
        )
        if applicable:
            counted = True
            if progress >= 1.0:
                strong = strong or link.covers
            else:
                all_done = False
            progressed = progressed or progress > 0
    if not item.controls:
        return NOT_MAPPED, controls
    if states is None:
        return TOUCHED, controls
    if not counted:
        return NOT_APPLICABLE, controls
    if strong or all_done:
        return SUPPORTED, controls
    return (PARTLY if progressed else NOT_SUPPORTED), controls


class RunStates:
    """One system's control states, shared by every framework of a run, and whether each
    threat counts as addressed: the progress of its mitigating controls that count
    (applicable, or not in the assessment) averages at least `share`. The verdict is memoised:
    the same threat sits behind items of many frameworks."""

    def __init__(self, catalog: Catalog, states: Mapping[str, State] | None, share: float) -> None:
        self.catalog, self.states, self.share = catalog, states, share
        self._addressed: dict[str, bool] = {}

    def addressed(self, threat: str) -> bool:
        found = self._addressed.get(threat)
        if found is None:
            states = self.states or {}
            counted = [
                s[3]
                for s in (states.get(c, UNASSESSED) for c in self.catalog.controls_for(threat))
                if s[1]
            ]
            found = bool(counted) and sum(counted) / len(counted) >= self.share
            self._addressed[threat] = found
        return found


def _reached_applicable(
    item: _Item, applicable: Collection[str] | None
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """`item.reached` when only some of the linked threats apply to the system."""
    return _reached(tuple(t for t in item.threats if applicable is None or t.threat in applicable))


def _threat_item(
    item: _Item,
    run: RunStates,
    applicable: Collection[str] | None,
) -> tuple[str, str | None, list[Json], list[Json]]:
    states = run.states
    every_applies = applicable is None or all(t.threat in applicable for t in item.threats)
    reached = item.reached if every_applies else _reached_applicable(item, applicable)
    threats = []
    live = False
    every_addressed = True
    for link in item.threats:
        applies = applicable is None or link.threat in applicable
        verdict = None
        if applies:
            live = True
            if states is not None:
                verdict = run.addressed(link.threat)
                every_addressed = every_addressed and verdict
        threats.append(
            {
                "threat": link.threat,
                "name": link.name,
                "relationship": link.rel,
                "why": link.why,
                "applies": applies,
                "addressed": verdict,
            }
        )
    controls = []
    counted = progressed = False
    for control, name, through in reached:
        status, applicable_, evidence, progress = (
            states.get(control, UNASSESSED) if states is not None else UNASSESSED
        )
        controls.append(
            {
                "control": control,
                "name": name,
                "relationship": None,
                "why": None,
                "via_threats": list(through),
                "status": status,
                "applicable": applicable_,
                "evidence": list(evidence),
            }
        )
        if applicable_:
            counted = True
            progressed = progressed or progress > 0
    if not item.threats:
        return NOT_MAPPED, None, threats, controls
    if not live:
        return NOT_APPLICABLE, NO_LIVE_THREAT, threats, controls
    if states is None:
        return TOUCHED, None, threats, controls
    if not counted:
        return NOT_APPLICABLE, ALL_EXCLUDED, threats, controls
    if every_addressed:
        return SUPPORTED, None, threats, controls
    return (PARTLY if progressed else NOT_SUPPORTED), None, threats, controls


def coverage_json(
    crosswalk: Crosswalk,
    framework: Framework,
    run: RunStates,
    applicable: Collection[str] | None,
    rule: str,
) -> Json:
    """One framework's coverage as JSON data for the control states in `run`."""
    plan = plan_for(run.catalog, crosswalk, framework)
    states = run.states
    counts = dict.fromkeys(STATUSES, 0)
    items = []
    for item in plan.items:
        note = item.outside
        threats: list[Json] = []
        controls: list[Json] = []
        if note is not None:
            status = OUTSIDE_SCOPE
        elif item.threat_shaped:
            status, note, threats, controls = _threat_item(item, run, applicable)
        else:
            status, controls = _control_item(item, states)
        counts[status] += 1
        items.append(
            {
                "id": item.id,
                "title": item.title,
                "label_is_own": item.label_is_own,
                "group": item.group,
                "shape": item.shape,
                "status": status,
                "note": note,
                "paragraphs": item.paragraphs,
                "threats": threats,
                "controls": controls,
            }
        )
    return {
        **plan.head,
        "assessed": states is not None,
        "rule": rule,
        "counts": counts,
        "items": items,
    }
