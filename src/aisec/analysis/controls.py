"""Effective state of each control: claimed status, user exclusions and evidence combined.

Evidence overrides claims: a control whose probe evidence failed counts as not implemented (the
attack worked), and one claimed in place whose evidence passed becomes verified.
"""

from __future__ import annotations

from aisec.analysis.model import ControlView, EvidenceOutcome, ThreatDecision
from aisec.catalog import Catalog
from aisec.evidence.apply import EvidenceIndex
from aisec.system.assessment import Assessment, ControlState, ControlStatus

_IN_PLACE = {ControlStatus.PARTIAL, ControlStatus.IMPLEMENTED, ControlStatus.VERIFIED}


def effective_status(state: ControlState, evidence: EvidenceOutcome | None) -> ControlStatus:
    if evidence is None:
        return state.status
    if evidence.outcome == "failed":
        return ControlStatus.NOT_IMPLEMENTED
    if evidence.outcome == "verified" and state.status in _IN_PLACE:
        return ControlStatus.VERIFIED
    return state.status


def control_views(
    catalog: Catalog,
    decisions: list[ThreatDecision],
    assessment: Assessment | None,
    evidence: EvidenceIndex,
) -> list[ControlView]:
    applicable_threats = {d.threat_id for d in decisions if d.applicable}
    states = assessment.controls if assessment else {}
    views = []
    for control in catalog.controls.values():
        state = states.get(control.id, ControlState())
        mitigates = [e.threat for e in control.effects if e.threat in applicable_threats]
        relevant = bool(mitigates)
        ev = evidence.controls.get(control.id)
        outcome = (
            EvidenceOutcome(outcome=ev.outcome, sources=list(ev.sources), detail=ev.detail)
            if ev
            else None
        )
        if not state.applicable:
            reason = f"excluded: {state.justification}"
        elif relevant:
            reason = "mitigates " + ", ".join(mitigates)
        else:
            reason = (
                "not needed: it mitigates only threats that do not apply ("
                + ", ".join(e.threat for e in control.effects)
                + ")"
            )
        status = effective_status(state, outcome)
        if outcome and outcome.outcome == "verified" and state.status not in _IN_PLACE:
            reason += "; evidence passed although the control is not recorded as in place: review"
        views.append(
            ControlView(
                id=control.id,
                name=control.name,
                category=control.category,
                phases=control.phases,
                role=state.role or control.role,
                role_overridden=state.role is not None,
                status=state.status,
                effective_status=status if state.applicable else state.status,
                applicable=state.applicable,
                relevant=relevant,
                reason=reason,
                owner=state.owner,
                evidence=list(state.evidence),
                evidence_outcome=outcome,
                mitigates=mitigates,
                notes=state.notes,
            )
        )
    return views
