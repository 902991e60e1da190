"""Warnings when chosen controls pull against each other or against the system's priorities.

'Chosen' means planned or further along. Conflicts and dependencies come from the catalogue;
trade-offs compare each chosen control's side effects with what the business said it cannot
give up (accuracy, availability, latency...).
"""

from __future__ import annotations

from aisec.analysis.model import ControlView, Interaction
from aisec.catalog import Catalog
from aisec.catalog.schema import Level
from aisec.system.assessment import ControlStatus
from aisec.system.schema import AISystem, Priority

_CHOSEN = {
    ControlStatus.PLANNED,
    ControlStatus.PARTIAL,
    ControlStatus.IMPLEMENTED,
    ControlStatus.VERIFIED,
}
_PRIORITY_ASPECTS = {"accuracy", "availability", "latency", "usability", "explainability", "cost"}


def _chosen(view: ControlView) -> bool:
    return view.applicable and view.status in _CHOSEN


def interactions(catalog: Catalog, system: AISystem, views: list[ControlView]) -> list[Interaction]:
    by_id = {v.id: v for v in views}
    out: list[Interaction] = []
    seen_pairs: set[frozenset[str]] = set()
    for view in views:
        if not _chosen(view):
            continue
        control = catalog.controls[view.id]
        for conflict in control.conflicts_with:
            pair = frozenset((view.id, conflict.control))
            if _chosen(by_id[conflict.control]) and pair not in seen_pairs:
                seen_pairs.add(pair)
                out.append(
                    Interaction(
                        kind="conflict",
                        controls=sorted(pair),
                        severity="warning",
                        message=f"{view.id} and {conflict.control} pull against each other: {conflict.note}",
                    )
                )
        for dep in control.depends_on:
            if by_id[dep].applicable and not _chosen(by_id[dep]):
                out.append(
                    Interaction(
                        kind="missing-dependency",
                        controls=[view.id, dep],
                        severity="warning",
                        message=f"{view.id} relies on {dep}, which is not planned or in place",
                    )
                )
        for side in control.side_effects:
            aspect = side.aspect.value
            if aspect not in _PRIORITY_ASPECTS:
                continue
            priority: Priority = getattr(system.priorities, aspect)
            if priority in (Priority.HIGH, Priority.CRITICAL) and side.level in (
                Level.MEDIUM,
                Level.HIGH,
            ):
                severity = "warning"
            elif priority is Priority.CRITICAL and side.level is Level.LOW:
                severity = "info"
            else:
                continue
            out.append(
                Interaction(
                    kind="trade-off",
                    controls=[view.id],
                    severity=severity,
                    message=(
                        f"{view.id} costs {aspect} ({side.level.value}) while {aspect} is a "
                        f"{priority.value} priority for this system: {side.note}"
                    ),
                )
            )
    out.sort(key=lambda i: (i.severity != "warning", i.kind, i.controls))
    return out
