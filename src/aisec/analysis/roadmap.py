"""The roadmap: controls not yet in place, ordered by the residual risk each would remove."""

from __future__ import annotations

from aisec.analysis.model import ControlContribution, ControlView, RiskItem, RoadmapItem
from aisec.analysis.risk import rescale
from aisec.analysis.scoring import residual_for
from aisec.catalog import Catalog
from aisec.system.assessment import ControlStatus, RiskSettings

def roadmap(catalog: Catalog, views: list[ControlView], risks: list[RiskItem],
            settings: RiskSettings, *, base_likelihood: dict[tuple[str, str], tuple[int, int]]) -> list[RoadmapItem]:
    """`base_likelihood` maps (threat, component) to the inherent (likelihood, impact) on 1-5."""
    by_id = {v.id: v for v in views}
    levels = settings.levels
    gains: dict[str, int] = {}
    threats: dict[str, list[str]] = {}
    for risk in risks:
        like5, imp5 = base_likelihood[(risk.threat_id, risk.component)]
        demonstrated = bool(risk.demonstrated_by)
        for contribution in risk.controls:
            if contribution.effective_strength >= 1.0:
                continue
            effect = next(e for e in catalog.controls[contribution.control_id].effects if e.threat == risk.threat_id)
            improved = [
                c if c.control_id != contribution.control_id else ControlContribution(
                    control_id=c.control_id, status=ControlStatus.IMPLEMENTED, effective_strength=1.0,
                    likelihood_reduction=float(effect.likelihood), impact_reduction=float(effect.impact))
                for c in risk.controls
            ]
            rl, ri = residual_for(like5, imp5, improved, demonstrated)
            after = rescale(rl, levels) * rescale(ri, levels)
            gain = risk.residual - after
            if gain > 0:
                gains[contribution.control_id] = gains.get(contribution.control_id, 0) + gain
                threats.setdefault(contribution.control_id, []).append(risk.threat_id)
    ordered = sorted(gains.items(), key=lambda kv: (-kv[1], kv[0]))
    items = []
    for rank, (control_id, gain) in enumerate(ordered, start=1):
        control = catalog.controls[control_id]
        view = by_id[control_id]
        items.append(RoadmapItem(
            rank=rank, control_id=control_id, control_name=control.name, category=control.category,
            role=view.role, current_status=view.effective_status, risk_reduction=gain,
            threats=sorted(set(threats[control_id])),
            depends_on=[d for d in control.depends_on if by_id[d].effective_status.strength < 1.0],
            side_effects=[f"{s.aspect.value} ({s.level.value}): {s.note}" for s in control.side_effects],
        ))
    return items
