"""CSV risk register whose columns extend a typical ISO/IEC 27001 register.

A CISO pastes these AI rows into the register they already keep: asset, threat, property,
likelihood, impact, inherent risk, controls, residual risk, treatment decision, risk owner,
review date, role. The file opens in Excel as it is: UTF-8 with a byte-order mark, and every cell
that a spreadsheet would read as a formula (leading = + - @, tab or carriage return) is
neutralised with a leading apostrophe. The same rows feed the `.xlsx` register.
"""

from __future__ import annotations

import csv
import io

from aisec.analysis.model import AssessmentResult, RiskItem

BOM = "\ufeff"

COLUMNS = [
    "risk_id",
    "system",
    "system_name",
    "assessment_date",
    "asset",
    "component",
    "threat_id",
    "threat",
    "affected_property",
    "likelihood",
    "likelihood_reason",
    "impact",
    "impact_reason",
    "inherent_risk",
    "inherent_band",
    "controls_in_place",
    "controls_missing",
    "residual_likelihood",
    "residual_impact",
    "residual_risk",
    "residual_band",
    "within_appetite",
    "decision_state",
    "decision",
    "risk_owner",
    "decided_by",
    "decided_on",
    "review_by",
    "justification",
    "treatment",
    "accepted",
    "owner",
    "role",
    "demonstrated_by",
    "rationale",
]


def neutralise(value: str) -> str:
    """Neutralise spreadsheet formula injection: system text is user-controlled."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _controls(result: AssessmentResult, risk: RiskItem, in_place: bool) -> str:
    names = {c.id: c.name for c in result.controls}
    chosen = [c for c in risk.controls if (c.effective_strength > 0) == in_place]
    return " | ".join(f"{c.control_id} ({names.get(c.control_id, '')})" for c in chosen)


def register_rows(result: AssessmentResult) -> list[list[str | int]]:
    """The register as rows of plain values (header excluded), shared by CSV and XLSX."""
    rationale = {(d.threat_id, d.component): "; ".join(d.rationale) for d in result.decisions}
    date = result.assessment_date.isoformat() if result.assessment_date else ""
    rows: list[list[str | int]] = []
    for index, risk in enumerate(result.risks, start=1):
        d = risk.decision
        rows.append(
            [
                f"{result.system_id}-R{index:03d}",
                result.system_id,
                result.system_name,
                date,
                " | ".join(a.value for a in risk.assets),
                risk.component,
                risk.threat_id,
                risk.threat_name,
                " | ".join(risk.properties),
                risk.likelihood,
                risk.likelihood_reason,
                risk.impact,
                risk.impact_reason,
                risk.inherent,
                risk.inherent_band,
                _controls(result, risk, True),
                _controls(result, risk, False),
                risk.residual_likelihood,
                risk.residual_impact,
                risk.residual,
                risk.residual_band,
                "yes" if risk.within_appetite else "no",
                risk.decision_state.label,
                d.treatment.value if d else "",
                d.risk_owner if d else "",
                d.decided_by if d else "",
                d.decided_on.isoformat() if d else "",
                d.review_by.isoformat() if d and d.review_by else "",
                (d.justification or "") if d else "",
                risk.treatment,
                "yes" if risk.accepted else "no",
                risk.owner or "",
                risk.role.value,
                " | ".join(risk.demonstrated_by),
                rationale.get((risk.threat_id, risk.component), ""),
            ]
        )
    return rows


def render_risk_register(result: AssessmentResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in register_rows(result):
        writer.writerow([neutralise(str(v)) for v in row])
    return BOM + out.getvalue()
