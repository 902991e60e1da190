"""CSV risk register whose columns extend a typical ISO/IEC 27001 register.

A CISO pastes these AI rows into the register they already keep: asset, threat, property,
likelihood, impact, inherent risk, controls, residual risk, treatment, owner, role.
"""

from __future__ import annotations

import csv
import io

from aisec.analysis.model import AssessmentResult

COLUMNS = [
    "risk_id",
    "system",
    "asset",
    "component",
    "threat_id",
    "threat",
    "affected_property",
    "likelihood",
    "impact",
    "inherent_risk",
    "inherent_band",
    "controls_in_place",
    "controls_missing",
    "residual_likelihood",
    "residual_impact",
    "residual_risk",
    "residual_band",
    "treatment",
    "accepted",
    "owner",
    "role",
    "demonstrated_by",
    "rationale",
]


def _cell(value: str) -> str:
    """Neutralise spreadsheet formula injection: system text is user-controlled."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def render_risk_register(result: AssessmentResult) -> str:
    rationale = {(d.threat_id, d.component): "; ".join(d.rationale) for d in result.decisions}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index, risk in enumerate(result.risks, start=1):
        in_place = [c.control_id for c in risk.controls if c.effective_strength > 0]
        missing = [c.control_id for c in risk.controls if c.effective_strength == 0]
        row = [
            f"{result.system_id}-R{index:03d}",
            result.system_id,
            " | ".join(a.value for a in risk.assets),
            risk.component,
            risk.threat_id,
            risk.threat_name,
            " | ".join(risk.properties),
            risk.likelihood,
            risk.impact,
            risk.inherent,
            risk.inherent_band,
            " | ".join(in_place),
            " | ".join(missing),
            risk.residual_likelihood,
            risk.residual_impact,
            risk.residual,
            risk.residual_band,
            risk.treatment,
            "yes" if risk.accepted else "no",
            risk.owner or "",
            risk.role.value,
            " | ".join(risk.demonstrated_by),
            rationale.get((risk.threat_id, risk.component), ""),
        ]
        writer.writerow([_cell(str(v)) for v in row])
    return out.getvalue()
