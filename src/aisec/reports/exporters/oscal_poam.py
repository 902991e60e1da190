"""OSCAL plan of action and milestones from the roadmap: one item per control not yet in place,
with the rationale (risk points removed, threats), the owner as a responsible party and the due
date as the milestone date and the risk deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aisec.analysis.model import AssessmentResult
from aisec.reports.exporters.oscal_common import AISEC_NS, finish, prop, stable_uuid, threat_ref
from aisec.reports.exporters.oscal_system import oscal_day, system_metadata


def poam_document(result: AssessmentResult, now: datetime) -> str:
    """Plan of action and milestones: one item per roadmap entry, with owner and due date."""
    items = []
    risks = []
    for item in result.roadmap:
        risk_uuid = stable_uuid("poam-risk", result.system_id, item.control_id)
        rationale = (
            f"Implementing {item.control_name} would remove {item.risk_reduction} residual "
            f"risk points across threats: {', '.join(item.threats)}."
        )
        props = [
            prop("rank", str(item.rank)),
            prop("control-id", item.control_id),
            prop("role", item.role.value),
            prop("current-status", item.current_status.value),
            prop("supplier-provided", "true" if item.supplier_provided else "false"),
        ]
        if item.overturned_by_evidence:
            props.append(prop("overturned-by-evidence", "true"))
        items.append(
            {
                "uuid": stable_uuid("poam-item", result.system_id, item.control_id),
                "title": f"Implement {item.control_name}",
                "description": rationale,
                "props": props,
                "related-risks": [{"risk-uuid": risk_uuid}],
            }
        )
        task: dict[str, Any] = {
            "uuid": stable_uuid("poam-task", result.system_id, item.control_id),
            "type": "milestone",
            "title": f"{item.control_id} in place",
        }
        if item.due:
            task["timing"] = {"on-date": {"date": oscal_day(item.due)}}
        if item.owner:
            task["responsible-roles"] = [
                {"role-id": "control-owner", "party-uuids": [stable_uuid("party", item.owner)]}
            ]
        risk: dict[str, Any] = {
            "uuid": risk_uuid,
            "title": f"{item.control_name} not in place",
            "description": rationale,
            "statement": "Threats left less mitigated: " + ", ".join(item.threats),
            "status": "open",
            "threat-ids": [threat_ref(t) for t in item.threats],
            "remediations": [
                {
                    "uuid": stable_uuid("poam-rem", result.system_id, item.control_id),
                    "lifecycle": "planned",
                    "title": f"Implement {item.control_id}",
                    "description": rationale,
                    "tasks": [task],
                }
            ],
        }
        if item.due:
            risk["deadline"] = oscal_day(item.due)
        risks.append(risk)
    body: dict[str, Any] = {
        "uuid": stable_uuid("poam", result.system_id),
        "metadata": system_metadata(result, "Plan of action and milestones", now),
        "system-id": {"identifier-type": AISEC_NS, "id": result.system_id},
        "poam-items": items
        or [
            {
                "uuid": stable_uuid("poam-item", result.system_id, "none"),
                "title": "No open action",
                "description": "Every relevant control is in place; nothing to plan.",
            }
        ],
    }
    if risks:
        body["risks"] = risks
    return finish("plan-of-action-and-milestones", body)
