"""Risk treatment decisions: match each risk to its owner's decision and say where it stands.

Nothing is accepted by arithmetic. A risk within appetite is "awaiting owner's acceptance" until a
decision exists; an acceptance past its review date has expired; a threat that failing evidence
demonstrated can be accepted only by a decision whose `evidence` names that evidence (by file
path, file name or SHA-256 prefix), and is shown as "accepted despite evidence" everywhere.
Pure: `today` is an input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from aisec.analysis.model import CheckWarning, DecisionState, RiskItem, WarningCode
from aisec.system.assessment import RiskDecision, Treatment


@dataclass(frozen=True)
class EvidenceName:
    """Ways a decision may name one evidence file."""

    path: str
    sha256: str

    def named_by(self, ref: str) -> bool:
        ref = ref.strip()
        if not ref:
            return False
        if ref == self.path or ref == self.path.replace("\\", "/").rsplit("/", 1)[-1]:
            return True
        return len(ref) >= 12 and self.sha256.startswith(ref.lower())


def find_decision(
    decisions: Sequence[RiskDecision], threat_id: str, component: str
) -> RiskDecision | None:
    """A decision for this component wins over one for every component of the threat."""
    general = None
    for decision in decisions:
        if decision.threat != threat_id:
            continue
        if decision.component == component:
            return decision
        if decision.component is None:
            general = decision
    return general


def _accepted_state(
    decision: RiskDecision,
    risk: RiskItem,
    files: Sequence[EvidenceName],
) -> tuple[DecisionState, str]:
    if not risk.demonstrated_by:
        return DecisionState.ACCEPTED, "accepted by " + decision.decided_by
    named = [f.path for f in files if any(f.named_by(ref) for ref in decision.evidence)]
    if not named:
        wanted = ", ".join(f.path for f in files) or "; ".join(risk.demonstrated_by[:2])
        return (
            DecisionState.NEEDS_JUSTIFICATION,
            "failing evidence demonstrated this threat; the acceptance must name it in "
            f"'evidence' ({wanted})",
        )
    return (
        DecisionState.ACCEPTED_DEMONSTRATED,
        f"accepted by {decision.decided_by} in view of {', '.join(named)}",
    )


def decide(
    risk: RiskItem,
    decision: RiskDecision | None,
    today: date,
    files: Sequence[EvidenceName],
) -> tuple[DecisionState, str]:
    """The decision state of one risk and a sentence saying why."""
    if decision is None:
        if risk.within_appetite:
            return (
                DecisionState.AWAITING_ACCEPTANCE,
                "within appetite; nobody has accepted it yet",
            )
        return DecisionState.DECISION_REQUIRED, "above appetite and no treatment decided"
    if decision.review_by is not None and decision.review_by < today:
        return (
            DecisionState.EXPIRED,
            f"{decision.treatment.value} decision by {decision.decided_by} expired on "
            f"{decision.review_by.isoformat()}",
        )
    if decision.treatment is Treatment.ACCEPT:
        return _accepted_state(decision, risk, files)
    if decision.treatment is Treatment.AVOID:
        return DecisionState.AVOIDED, f"avoided: {decision.justification}"
    if decision.treatment is Treatment.TRANSFER:
        return DecisionState.TRANSFERRED, f"transferred to {decision.transferred_to}"
    return DecisionState.MITIGATING, f"{decision.risk_owner} decided to mitigate"


def treatment_line(
    state: DecisionState, decision: RiskDecision | None, suggested: list[str]
) -> str:
    """The register's one-line treatment: the decision, or what is still required."""
    mitigate = "mitigate: " + (", ".join(suggested[:3]) or "add controls beyond the catalogue")
    if state is DecisionState.AWAITING_ACCEPTANCE:
        return state.label
    if decision is None or state in (DecisionState.EXPIRED, DecisionState.NEEDS_JUSTIFICATION):
        return f"{state.label}; proposed {mitigate}"
    until = f" until {decision.review_by.isoformat()}" if decision.review_by else ""
    if decision.treatment is Treatment.MITIGATE:
        return f"{mitigate} (owner {decision.risk_owner}{until})"
    return (
        f"{decision.treatment.value} ({state.label}; {decision.decided_by}, "
        f"{decision.decided_on.isoformat()}{until})"
    )


def apply_decisions(
    risks: Sequence[RiskItem],
    decisions: Sequence[RiskDecision],
    today: date,
    demonstrating_files: Mapping[str, Sequence[EvidenceName]],
) -> tuple[list[RiskItem], list[CheckWarning]]:
    """Attach each risk's decision and state; warn about expired and unmatched decisions."""
    out = []
    warnings: list[CheckWarning] = []
    used: set[tuple[str, str | None]] = set()
    for risk in risks:
        decision = find_decision(decisions, risk.threat_id, risk.component)
        files = demonstrating_files.get(risk.threat_id, ())
        state, note = decide(risk, decision, today, files)
        if decision is not None:
            used.add((decision.threat, decision.component))
        if state is DecisionState.EXPIRED:
            warnings.append(
                CheckWarning(code=WarningCode.DECISION_EXPIRED, subject=risk.key, message=note)
            )
        elif state is DecisionState.NEEDS_JUSTIFICATION:
            warnings.append(
                CheckWarning(
                    code=WarningCode.DECISION_NEEDS_EVIDENCE, subject=risk.key, message=note
                )
            )
        out.append(
            risk.model_copy(
                update={
                    "decision": decision,
                    "decision_state": state,
                    "decision_note": note,
                    "accepted": state
                    in (DecisionState.ACCEPTED, DecisionState.ACCEPTED_DEMONSTRATED),
                    "treatment": treatment_line(state, decision, risk.suggested_controls),
                }
            )
        )
    for decision in decisions:
        if (decision.threat, decision.component) not in used:
            where = f"@{decision.component}" if decision.component else ""
            warnings.append(
                CheckWarning(
                    code=WarningCode.DECISION_UNMATCHED,
                    subject=f"{decision.threat}{where}",
                    message="decision for a risk this system does not have (threat not "
                    "applicable or unknown component): it is ignored",
                )
            )
    return out, warnings
