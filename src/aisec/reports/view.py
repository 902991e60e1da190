"""What the HTML and Markdown reports show, arranged once so both renderers say the same thing.

The analysis result is organised for computation; a reader wants it grouped: threats with their
risk line, controls split by who must act, practices by practice, the worst risks in sentences.
This module does that grouping (pure, no I/O, no clock); templates only lay it out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from aisec.analysis.model import (
    AssessmentResult,
    ControlView,
    PracticeAnswer,
    RiskItem,
    ThreatDecision,
)
from aisec.catalog.schema import Category, Role
from aisec.reports.charts import heat_counts

CIA = ("confidentiality", "integrity", "availability")
BEYOND_CIA_LABELS = {
    "individuals": "harm to individuals",
    "transparency": "transparency",
    "accountability": "accountability",
    "explainability": "explainability",
}
ROLE_TITLES = {
    Role.VENDOR: "Vendor (develops or supplies the AI system)",
    Role.INTEGRATOR: "Integrator (deploys it in the business context)",
    Role.SHARED: "Shared between vendor and integrator",
}
METHOD = [
    "Likelihood and impact are each rated on a 1 to {levels} scale; risk is their product "
    "(1 to {top}), in the style of ISO/IEC 27005.",
    "Likelihood starts from the threat's catalogue baseline, adds who can reach the input "
    "(anonymous, outsiders, insiders), aggravating facts with diminishing returns, and subtracts "
    "easing facts found in the system description.",
    "Impact is the worst business impact among the properties the threat hits (confidentiality, "
    "integrity and availability ratings of the system, plus harm to individuals, transparency, "
    "accountability and explainability), one step lower for each level the threat hits a property "
    "below 'high'.",
    "Each control in the catalogue lowers the likelihood and/or impact of the threats it mitigates "
    "by a set number of steps. Implemented and verified controls count fully, partial ones half, "
    "planned and not implemented ones not at all. Controls reduce impact by at most two steps.",
    "Evidence counts only when its subject is a model file, endpoint or dataset the system "
    "declares and it is younger than the maximum age. It overrides claims: a control whose "
    "evidence failed counts as not implemented; passing evidence makes an implemented control "
    "verified (a partial one stays partial). For a threat that evidence shows to be exploitable, "
    "only controls with passing evidence of their own lower the risk, and its residual "
    "likelihood stays at least 'likely'.",
    "No risk is accepted by arithmetic: the acceptance threshold is the risk appetite; a risk is "
    "accepted only by its owner's recorded decision (who, when, why, until when), and a "
    "demonstrated threat only by a decision naming the evidence.",
    "Readiness weighs every relevant control by the risk steps it can remove, so missing a control "
    "that protects a critical exposure costs more than missing a minor one. A slice without any "
    "relevant control is reported as not assessed, never as complete.",
]


@dataclass(frozen=True)
class ThreatRow:
    risk_id: str | None
    decision: ThreatDecision
    risk: RiskItem | None
    cia: list[str]
    beyond: list[str]


@dataclass(frozen=True)
class RoleGroup:
    role: str
    title: str
    controls: list[ControlView]


@dataclass(frozen=True)
class PracticeGroup:
    practice_id: str
    name: str
    answers: list[PracticeAnswer]


@dataclass(frozen=True)
class ReportView:
    result: AssessmentResult
    levels: int
    threat_rows: list[ThreatRow]
    excluded: list[ThreatDecision]
    risk_ids: dict[tuple[str, str], str]
    role_groups: list[RoleGroup]
    not_needed: list[ControlView]
    excluded_controls: list[ControlView]
    top_risks: list[str]
    practices: list[PracticeGroup]
    inherent_counts: dict[tuple[int, int], int]
    residual_counts: dict[tuple[int, int], int]
    rationale: dict[tuple[str, str], str]
    method: list[str]


def risk_sentence(risk: RiskItem) -> str:
    """One sentence a board member can read about one residual risk."""
    if risk.residual < risk.inherent:
        move = f"down from {risk.inherent} inherent"
    elif risk.residual > risk.inherent:
        move = f"up from {risk.inherent} inherent"
    else:
        move = "no reduction from controls yet"
    where = "across the system" if risk.component == "system" else f"on {risk.component}"
    text = (
        f"{risk.threat_name} {where} remains {risk.residual_band} "
        f"(residual {risk.residual} = likelihood {risk.residual_likelihood} × impact "
        f"{risk.residual_impact}, {move}); {risk.treatment}."
    )
    if risk.demonstrated_by:
        text += " Evidence shows the attack works."
    return text


def _dedup(decision: ThreatDecision) -> ThreatDecision:
    """The same fact can be found on several paths; say it once."""
    return decision.model_copy(
        update={
            "rationale": list(dict.fromkeys(decision.rationale)),
            "aggravating": list(dict.fromkeys(decision.aggravating)),
            "easing": list(dict.fromkeys(decision.easing)),
        }
    )


def _practices(answers: list[PracticeAnswer]) -> list[PracticeGroup]:
    grouped: OrderedDict[str, PracticeGroup] = OrderedDict()
    for answer in answers:
        if answer.practice_id not in grouped:
            grouped[answer.practice_id] = PracticeGroup(
                answer.practice_id, answer.practice_name, []
            )
        grouped[answer.practice_id].answers.append(answer)
    return list(grouped.values())


def build_view(result: AssessmentResult) -> ReportView:
    levels = int(result.bands.get("levels", 5))
    risk_ids = {
        (r.threat_id, r.component): f"R{n:03d}" for n, r in enumerate(result.risks, start=1)
    }
    by_key = {(r.threat_id, r.component): r for r in result.risks}
    rows = []
    for decision in result.decisions:
        if not decision.applicable:
            continue
        key = (decision.threat_id, decision.component)
        risk = by_key.get(key)
        props = risk.properties if risk else []
        rows.append(
            ThreatRow(
                risk_id=risk_ids.get(key),
                decision=_dedup(decision),
                risk=risk,
                cia=[p for p in props if p in CIA],
                beyond=[BEYOND_CIA_LABELS.get(p, p) for p in props if p not in CIA],
            )
        )
    rows.sort(
        key=lambda r: (
            r.risk_id is None,
            r.risk_id or "",
            r.decision.threat_id,
            r.decision.component,
        )
    )
    applicable_ids = {d.threat_id for d in result.decisions if d.applicable}
    excluded = [
        _dedup(d)
        for d in result.decisions
        if not d.applicable and d.threat_id not in applicable_ids
    ]
    order = {c: n for n, c in enumerate(Category)}
    in_scope = sorted(
        (c for c in result.controls if c.applicable and c.relevant),
        key=lambda c: (order[c.category], c.id),
    )
    groups = [
        RoleGroup(role.value, ROLE_TITLES[role], [c for c in in_scope if c.role is role])
        for role in Role
    ]
    return ReportView(
        result=result,
        levels=levels,
        threat_rows=rows,
        excluded=excluded,
        risk_ids=risk_ids,
        role_groups=groups,
        not_needed=[c for c in result.controls if c.applicable and not c.relevant],
        excluded_controls=[c for c in result.controls if not c.applicable],
        top_risks=[risk_sentence(r) for r in result.risks[:5]],
        practices=_practices(result.practices),
        inherent_counts=heat_counts([(r.likelihood, r.impact) for r in result.risks], levels),
        residual_counts=heat_counts(
            [(r.residual_likelihood, r.residual_impact) for r in result.risks], levels
        ),
        rationale={(d.threat_id, d.component): "; ".join(d.rationale) for d in result.decisions},
        method=[m.format(levels=levels, top=levels * levels) for m in METHOD],
    )
