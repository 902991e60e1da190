"""The roadmap: controls not yet in place, ordered by the residual risk each would remove.

Each item carries its owner and due date (overdue when the date has passed); supplier-provided
items are the supplier's open work, listed apart from the organisation's own.
"""

from __future__ import annotations

import math
from datetime import date

from aisec.analysis.model import ControlView, RiskItem, RoadmapItem
from aisec.analysis.risk import (
    DEMONSTRATED_FLOOR,
    MAX_IMPACT_REDUCTION,
    SHARE_PER_STEP,
    reduce,
    rescale,
)
from aisec.catalog import Catalog
from aisec.system.assessment import RiskSettings


def _gains(
    catalog: Catalog, risk: RiskItem, like5: int, imp5: int, levels: int
) -> list[tuple[str, int]]:
    """Residual points each not-yet-full control would remove from this risk item."""
    demonstrated = bool(risk.demonstrated_by)
    # Likelihood factors multiply (see risk.reduce_likelihood): swapping one control's factor
    # for its full-strength factor is a division and a product, not a recomputation.
    factors = [1.0 - SHARE_PER_STEP * c.likelihood_reduction for c in risk.controls]
    product = math.prod(factors)
    impact_steps = sum(c.impact_reduction for c in risk.controls)
    out = []
    for contribution, factor in zip(risk.controls, factors, strict=True):
        if contribution.effective_strength >= 1.0:
            continue
        effect = catalog.effect(contribution.control_id, risk.threat_id)
        remaining = (like5 - 1) * product / factor * (1.0 - SHARE_PER_STEP * effect.likelihood)
        rl = max(1, math.floor(1 + remaining + 0.5))
        if demonstrated:
            rl = max(rl, DEMONSTRATED_FLOOR)
        ri = reduce(
            imp5,
            impact_steps - contribution.impact_reduction + effect.impact,
            cap=MAX_IMPACT_REDUCTION,
        )
        gain = risk.residual - rescale(rl, levels) * rescale(ri, levels)
        if gain > 0:
            out.append((contribution.control_id, gain))
    return out


def roadmap(
    catalog: Catalog,
    views: list[ControlView],
    risks: list[RiskItem],
    settings: RiskSettings,
    *,
    inherent_1to5: dict[tuple[str, str], tuple[int, int]],
    today: date | None = None,
) -> list[RoadmapItem]:
    """`inherent_1to5` maps (threat, component) to the inherent (likelihood, impact) on 1-5."""
    by_id = {v.id: v for v in views}
    levels = settings.levels
    gains: dict[str, int] = {}
    threats: dict[str, list[str]] = {}
    memo: dict[tuple[str, int, int, bool, int], list[tuple[str, int]]] = {}
    for risk in risks:
        like5, imp5 = inherent_1to5[(risk.threat_id, risk.component)]
        key = (risk.threat_id, like5, imp5, bool(risk.demonstrated_by), risk.residual)
        if key not in memo:  # the same threat on several models usually scores alike
            memo[key] = _gains(catalog, risk, like5, imp5, levels)
        for control_id, gain in memo[key]:
            gains[control_id] = gains.get(control_id, 0) + gain
            threats.setdefault(control_id, []).append(risk.threat_id)
    ordered = sorted(gains.items(), key=lambda kv: (-kv[1], kv[0]))
    items = []
    for rank, (control_id, gain) in enumerate(ordered, start=1):
        control = catalog.controls[control_id]
        view = by_id[control_id]
        items.append(
            RoadmapItem(
                rank=rank,
                control_id=control_id,
                control_name=control.name,
                category=control.category,
                role=view.role,
                current_status=view.effective_status,
                claimed_status=view.status,
                overturned_by_evidence=bool(
                    view.evidence_outcome
                    and view.evidence_outcome.outcome == "failed"
                    and view.status.strength > 0
                ),
                risk_reduction=gain,
                threats=sorted(set(threats[control_id])),
                depends_on=[
                    d for d in control.depends_on if by_id[d].effective_status.strength < 1.0
                ],
                side_effects=[
                    f"{s.aspect.value} ({s.level.value}): {s.note}" for s in control.side_effects
                ],
                owner=view.owner,
                due=view.due,
                overdue=bool(today and view.due and view.due < today),
                supplier_provided=view.supplier_provided,
                assurance=view.assurance,
            )
        )
    return items
