"""Risk arithmetic: likelihood x impact before and after controls, on the organisation's scale.

The catalogue expresses likelihood, impact and control effects on a 1-5 scale; `rescale` maps
them onto the scale chosen in the assessment (3 to 10 levels), so a 4x4 or 10x10 method works.
Likelihood reductions combine with diminishing returns (`reduce_likelihood`); impact
reductions add up to a cap. Values are rounded half-up, never pushed below 1, and a threat that evidence shows
to be exploitable keeps a residual likelihood of at least 'likely'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aisec.catalog.schema import Impact, Level
from aisec.system.assessment import RiskSettings
from aisec.system.schema import AISystem, Priority

_LEVEL_ADJUST = {Level.HIGH: 0, Level.MEDIUM: -1, Level.LOW: -2}
_PRIORITY_BASE = {Priority.LOW: 2, Priority.MEDIUM: 3, Priority.HIGH: 4, Priority.CRITICAL: 5}
_SOFT_BASE = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3, Priority.CRITICAL: 4}
MAX_IMPACT_REDUCTION = 2  # controls seldom make a successful attack much less harmful
SHARE_PER_STEP = 0.2  # one likelihood step of a control removes 20 % of the remaining likelihood
DEMONSTRATED_FLOOR = 4  # on the 1-5 scale: 'likely'


def _rescale(value: float, levels: int) -> int:
    return max(1, min(levels, math.floor(1 + (value - 1) * (levels - 1) / 4 + 0.5)))


_RESCALED = {(v, n): _rescale(v, n) for v in range(1, 6) for n in range(3, 11)}


def rescale(value: int, levels: int) -> int:
    """Map a value on 1..5 to 1..levels (rounded half-up); a table lookup on the hot path."""
    found = _RESCALED.get((value, levels))
    return found if found is not None else _rescale(value, levels)


def band(score: int, settings: RiskSettings) -> str:
    if score <= settings.bands.low:
        return "low"
    if score <= settings.bands.medium:
        return "medium"
    if score <= settings.bands.high:
        return "high"
    return "critical"


@dataclass(frozen=True)
class ImpactScore:
    value: int  # 1..5
    properties: list[str]
    reason: str


def impact_bases(system: AISystem) -> dict[str, tuple[int, str]]:
    """Per property, the system's rating (1-5) and where it comes from; computed once per system."""
    return {
        "confidentiality": (system.business_impact.confidentiality, "business impact"),
        "integrity": (system.business_impact.integrity, "business impact"),
        "availability": (system.business_impact.availability, "business impact"),
        "individuals": (_PRIORITY_BASE[system.impact.harm_to_individuals], "harm to individuals"),
        "transparency": (_SOFT_BASE[system.impact.transparency], "transparency need"),
        "accountability": (_SOFT_BASE[system.impact.accountability], "accountability need"),
        "explainability": (_SOFT_BASE[system.impact.explainability], "explainability need"),
    }


def impact_of(
    threat_impact: Impact, system: AISystem, bases: dict[str, tuple[int, str]] | None = None
) -> ImpactScore:
    """Impact on 1-5: the worst affected property, from the system's business-impact ratings,
    lowered by one step per level the threat hits that property below 'high'."""
    bases = bases or impact_bases(system)
    best, props, reason = 1, [], "no property of the system is hit"
    for prop, (base, what) in bases.items():
        level: Level = getattr(threat_impact, prop)
        if level is Level.NONE:
            continue
        props.append(prop)
        value = max(1, min(5, base + _LEVEL_ADJUST[level]))
        if value > best or reason.startswith("no property"):
            best = value
            reason = f"{prop}: {what} {base}/5, hit {level.value}"
    return ImpactScore(best, props, reason)


def likelihood_of(base: int, aggravating: int, easing: int) -> int:
    return max(1, min(5, base + aggravating - easing))


def reduce_likelihood(value: int, steps: list[float]) -> int:
    """Controls combine with diminishing returns: each removes its share of what is left above
    the floor of 1, so ten weak controls never add up to one strong one."""
    remaining = float(value - 1)
    for step in steps:
        remaining *= max(0.0, 1.0 - SHARE_PER_STEP * step)
    return max(1, math.floor(1 + remaining + 0.5))


def reduce(value: int, reduction: float, *, cap: int | None = None) -> int:
    steps = math.floor(reduction + 0.5)
    if cap is not None:
        steps = min(steps, cap)
    return max(1, value - steps)
