"""Effective state of each control: claimed status, exclusions, supplier scope and evidence.

One rule, used by every section (risk, readiness, roadmap, register, charts, crosswalks):
* failing evidence overrides any claim: the control counts as not implemented ("overturned");
* passing evidence turns an `implemented` claim into `verified` ("evidence-verified", or
  "signed-evidence-verified" when every passing source is signed by a trusted key). A `partial`
  control stays partial: the evidence shows the part in place works, not that the missing
  part exists;
* `status: verified` without any evidence counts as implemented, assurance "claimed", and warns;
* for a model the organisation neither trains, fine-tunes nor hosts, vendor-side controls are
  "supplier-provided": expected from the supplier, counted as in place when the assessment
  records the supplier's evidence or attestation, otherwise an open supplier item.
"""

from __future__ import annotations

from datetime import date

from aisec.analysis.model import (
    Assurance,
    CheckWarning,
    ControlView,
    EvidenceOutcome,
    ThreatDecision,
    WarningCode,
)
from aisec.catalog import Catalog
from aisec.catalog.schema import Control, Role
from aisec.evidence.apply import EvidenceIndex
from aisec.system.assessment import Assessment, ControlState, ControlStatus
from aisec.system.schema import AISystem, Host, OrgRole, Party

_IN_PLACE = {ControlStatus.PARTIAL, ControlStatus.IMPLEMENTED, ControlStatus.VERIFIED}
VERIFIED_ASSURANCE = {Assurance.EVIDENCE_VERIFIED, Assurance.SIGNED_EVIDENCE_VERIFIED}
_NO_STATE = ControlState()  # frozen: one shared default for controls the assessment omits


def runs_no_model_itself(system: AISystem) -> bool:
    """True when every model is trained, fine-tuned and hosted by someone else."""
    return system.organisation_role is not OrgRole.VENDOR and not any(
        m.trained_by is Party.US or m.fine_tuned_by is Party.US or m.hosted_by is Host.US
        for m in system.models
    )


def effective(
    state: ControlState, evidence: EvidenceOutcome | None, supplier: bool
) -> tuple[ControlStatus, Assurance]:
    """The status that counts and how far it is established (see the module docstring)."""
    claimed = state.status
    if supplier and claimed not in _IN_PLACE and state.supplier_evidence:
        claimed = ControlStatus.IMPLEMENTED  # attested by the supplier
    if evidence is not None and evidence.outcome == "failed":
        return ControlStatus.NOT_IMPLEMENTED, (
            Assurance.OVERTURNED if claimed in _IN_PLACE else Assurance.NONE
        )
    if evidence is not None and evidence.outcome == "verified" and claimed in _IN_PLACE:
        status = (
            ControlStatus.PARTIAL if claimed is ControlStatus.PARTIAL else ControlStatus.VERIFIED
        )
        signed = (
            Assurance.SIGNED_EVIDENCE_VERIFIED if evidence.signed else Assurance.EVIDENCE_VERIFIED
        )
        return status, signed
    if claimed is ControlStatus.VERIFIED:
        claimed = ControlStatus.IMPLEMENTED  # 'verified' is what evidence shows, not a claim
    if supplier:
        return claimed, Assurance.SUPPLIER_PROVIDED
    return claimed, Assurance.CLAIMED if claimed in _IN_PLACE else Assurance.NONE


def _reason(state: ControlState, mitigates: list[str], all_threats: list[str]) -> str:
    if not state.applicable:
        return f"excluded: {state.justification}"
    if mitigates:
        return "mitigates " + ", ".join(mitigates)
    return (
        "not needed: it mitigates only threats that do not apply (" + ", ".join(all_threats) + ")"
    )


def control_views(
    catalog: Catalog,
    decisions: list[ThreatDecision],
    assessment: Assessment | None,
    evidence: EvidenceIndex,
    system: AISystem | None = None,
    today: date | None = None,
) -> tuple[list[ControlView], list[CheckWarning]]:
    applicable_threats = {d.threat_id for d in decisions if d.applicable}
    states = assessment.controls if assessment else {}
    others_run_models = system is not None and runs_no_model_itself(system)
    views: list[ControlView] = []
    warnings: list[CheckWarning] = []
    for control in catalog.controls.values():
        state = states.get(control.id, _NO_STATE)
        mitigates = [e.threat for e in control.effects if e.threat in applicable_threats]
        ev = evidence.controls.get(control.id)
        role = state.role or control.role
        supplier = (
            state.supplier_provided
            if state.supplier_provided is not None
            else others_run_models and role is Role.VENDOR
        )
        if state is _NO_STATE and ev is None:  # most controls: shared frozen values
            views.append(_unassessed_view(control, tuple(mitigates), supplier))
            continue
        outcome = (
            EvidenceOutcome(
                outcome=ev.outcome, sources=list(ev.sources), detail=ev.detail, signed=ev.signed
            )
            if ev
            else None
        )
        views.append(_view(control, state, outcome, mitigates, role, supplier, today, warnings))
    return views, warnings


_UNASSESSED: dict[tuple[int, tuple[str, ...], bool], tuple[Control, ControlView]] = {}
MAX_SHARED_VIEWS = 16384


def _unassessed_view(control: Control, mitigates: tuple[str, ...], supplier: bool) -> ControlView:
    """The view of a control the assessment does not name and no evidence covers depends only
    on the control, the applicable threats it mitigates and the supplier scope, so it is built
    once and shared (frozen). The entry holds the control, so its id is never reused while kept."""
    key = (id(control), mitigates, supplier)
    hit = _UNASSESSED.get(key)
    if hit is not None:
        return hit[1]
    unused: list[CheckWarning] = []  # no claim and no evidence: nothing to warn about
    view = _view(control, _NO_STATE, None, list(mitigates), control.role, supplier, None, unused)
    if len(_UNASSESSED) >= MAX_SHARED_VIEWS:
        _UNASSESSED.clear()
    _UNASSESSED[key] = (control, view)
    return view


def _view(
    control: Control,
    state: ControlState,
    outcome: EvidenceOutcome | None,
    mitigates: list[str],
    role: Role,
    supplier: bool,
    today: date | None,
    warnings: list[CheckWarning],
) -> ControlView:
    status, assurance = effective(state, outcome, supplier)
    reason = _reason(state, mitigates, [e.threat for e in control.effects])
    if supplier and state.applicable:
        reason += "; expected from the supplier" + (
            f" ({state.supplier})" if state.supplier else ""
        )
    relevant = bool(mitigates)
    if state.applicable and relevant:
        if outcome and outcome.outcome == "verified" and status.strength == 0:
            reason += "; evidence passed although the control is not recorded as in place"
            warnings.append(
                CheckWarning(
                    code=WarningCode.EVIDENCE_PASSED_NOT_IN_PLACE,
                    subject=control.id,
                    message="evidence passed although the assessment does not record the "
                    "control as in place: review the assessment",
                )
            )
        if state.status is ControlStatus.VERIFIED and outcome is None:
            warnings.append(
                CheckWarning(
                    code=WarningCode.VERIFIED_WITHOUT_EVIDENCE,
                    subject=control.id,
                    message="claimed 'verified' but no evidence file covers it: counted as "
                    "implemented (claimed)",
                )
            )
    if not state.applicable:
        status, assurance = state.status, Assurance.NOT_APPLICABLE
    overdue = bool(today and state.due and state.due < today and status.strength < 1.0 and relevant)
    return ControlView(
        id=control.id,
        name=control.name,
        category=control.category,
        phases=control.phases,
        role=role,
        role_overridden=state.role is not None,
        status=state.status,
        effective_status=status,
        applicable=state.applicable,
        relevant=relevant,
        reason=reason,
        owner=state.owner,
        evidence=list(state.evidence),
        evidence_outcome=outcome,
        mitigates=mitigates,
        notes=state.notes,
        assurance=assurance,
        supplier_provided=supplier and state.applicable,
        supplier=state.supplier,
        supplier_evidence=list(state.supplier_evidence),
        due=state.due,
        overdue=overdue,
    )
