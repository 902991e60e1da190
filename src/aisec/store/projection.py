"""The per-revision projection: what workspace-wide views need of one stored result.

Written with every assessment revision (in the same transaction, computed where the analysis
ran), so the portfolio and the decisions queue read a few hundred bytes of JSON per system
instead of decompressing and parsing a ~100 KB result. Only facts of the result are kept;
anything that depends on the day of viewing (overdue, expiring soon) is decided by the reader.
"""

from __future__ import annotations

import json
from typing import Any

from aisec.analysis.model import AssessmentResult

VERSION = 1


def project(result: AssessmentResult) -> dict[str, Any]:
    """JSON-ready projection of one result (version-tagged: readers fall back on a mismatch)."""
    t = result.totals
    overall = result.readiness.overall
    return {
        "v": VERSION,
        "name": result.system_name,
        "owner": result.owner,
        "org_role": str(result.organisation_role),
        "archetypes": [str(a) for a in result.archetypes],
        "max_inherent": t.max_inherent,
        "max_residual": t.max_residual,
        "residual_sum": t.residual_sum,
        "risks": t.risks,
        "above": t.risks_above_acceptance,
        "levels": int(result.bands.get("levels", 5)),
        "bands": dict(result.bands),
        "readiness": overall.score if overall.assessed else None,
        "categories": [c.model_dump(mode="json") for c in result.readiness.by_category],
        "open": [
            [
                r.key or f"{r.threat_id}@{r.component}",
                r.threat_name,
                (r.decision.risk_owner if r.decision else None) or r.owner or result.owner,
                r.decision_state.label,
                r.residual,
                r.residual_band,
                r.threat_id,
                r.component,
                list(r.demonstrated_by),
                [f.rsplit("/", 1)[-1] for f in result.evidence_files] if r.demonstrated_by else [],
            ]
            for r in result.risks
            if r.decision_state.needs_decision
        ],
        "due": [
            [i.control_id, i.owner or "", i.due.isoformat()]
            for i in result.roadmap
            if i.due and not i.supplier_provided
        ],
        "demonstrated": [
            [r.key or r.threat_id, r.threat_name] for r in result.risks if r.demonstrated_by
        ],
        "reviews": [
            [r.key, r.decision.review_by.isoformat()]
            for r in result.risks
            if r.decision and r.decision.review_by
        ],
        "generated_at": result.generated_at.isoformat() if result.generated_at else None,
    }


def dumps(result: AssessmentResult) -> str:
    return json.dumps(project(result), separators=(",", ":"), ensure_ascii=False)


def loads(text: str | None) -> dict[str, Any] | None:
    """A stored projection, or None when absent or of another version (read the result then)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("v") == VERSION else None
