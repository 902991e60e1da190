"""Turn applicable threats into risk-register items with inherent and residual risk.

Residual risk follows the evidence: for a threat that failing evidence demonstrated, only
controls with passing evidence of their own (evidence-verified or signed) lower likelihood or
impact, and the likelihood stays at least 'likely'; claims on paper do not pull a demonstrated
threat below the acceptance threshold. The same evidence also raises the *inherent* likelihood
to at least 'likely' (the attack was shown to work on this system), so residual risk never
exceeds inherent risk. Whether a risk is accepted is a person's decision
(`analysis.decisions`), never this arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from aisec.analysis.controls import VERIFIED_ASSURANCE
from aisec.analysis.facts import FactCache
from aisec.analysis.likelihood import (
    ConfidentialityMemo,
    confidentiality_base,
    inherent_likelihood,
)
from aisec.analysis.model import ControlContribution, ControlView, RiskItem, ThreatDecision
from aisec.analysis.risk import (
    DEMONSTRATED_FLOOR,
    MAX_IMPACT_REDUCTION,
    ImpactScore,
    band,
    impact_bases,
    impact_of,
    reduce,
    reduce_likelihood,
    rescale,
)
from aisec.catalog import Catalog
from aisec.catalog.schema import Role
from aisec.evidence.apply import EvidenceIndex
from aisec.system.assessment import ControlStatus, RiskSettings
from aisec.system.schema import AISystem


def _counted(view: ControlView, demonstrated: bool) -> float:
    if not view.applicable:
        return 0.0
    if demonstrated and view.assurance not in VERIFIED_ASSURANCE:
        return 0.0  # the attack was shown to work: only tested controls count against it
    return view.effective_status.strength


def residual_for(
    likelihood: int, impact: int, l_steps: list[float], i_steps: list[float], demonstrated: bool
) -> tuple[int, int]:
    """Residual (likelihood, impact) on 1-5 from each control's weighted steps; reused by the roadmap."""
    i_red = sum(i_steps)
    res_l = reduce_likelihood(likelihood, l_steps)
    if demonstrated:  # the attack was shown to work: controls on paper do not lower it
        res_l = max(res_l, DEMONSTRATED_FLOOR)
    return res_l, reduce(impact, i_red, cap=MAX_IMPACT_REDUCTION)


@lru_cache(maxsize=8192)
def _contribution(
    control_id: str, status: ControlStatus, strength: float, likelihood: int, impact: int
) -> ControlContribution:
    """Contributions are frozen values, so equal ones are shared across risk items and systems."""
    return ControlContribution(
        control_id=control_id,
        status=status,
        effective_strength=strength,
        likelihood_reduction=likelihood * strength,
        impact_reduction=impact * strength,
    )


def _per_threat(
    catalog: Catalog, by_id: dict[str, ControlView], threat_id: str, demonstrated: bool
) -> _ThreatControls:
    """Everything about a threat's controls that does not depend on the component, in one pass
    over its mitigating controls (catalogue order)."""
    contributions: list[ControlContribution] = []
    counted: list[ControlContribution] = []
    missing: list[tuple[int, ControlContribution]] = []
    weight: dict[Role, int] = {}
    effects = catalog.effects
    for control_id in catalog.controls_for(threat_id):
        view = by_id[control_id]
        effect = effects[(control_id, threat_id)]
        contribution = _contribution(
            control_id,
            view.effective_status,
            _counted(view, demonstrated),
            effect.likelihood,
            effect.impact,
        )
        contributions.append(contribution)
        if view.applicable:
            counted.append(contribution)
            if contribution.effective_strength < 1.0:
                missing.append((effect.likelihood, contribution))
            weight[view.role] = weight.get(view.role, 0) + effect.likelihood + effect.impact
    missing.sort(key=lambda pair: -pair[0])  # stable: catalogue order among equals
    return _ThreatControls(
        contributions=contributions,
        counted=counted,
        role=_role(weight),
        suggested=[c.control_id for _, c in missing[:3]],
        l_steps=[c.likelihood_reduction for c in contributions],
        i_steps=[c.impact_reduction for c in contributions],
    )


def _role(weight: dict[Role, int]) -> Role:
    """The role whose applicable controls weigh most against the threat; shared on a tie."""
    if not weight:
        return Role.SHARED
    ranked = sorted(weight.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return Role.SHARED
    return ranked[0][0]


@dataclass(frozen=True, slots=True)
class _ThreatControls:
    contributions: list[ControlContribution]
    counted: list[ControlContribution]  # applicable controls: the risk item lists these
    role: Role
    suggested: list[str]  # up to three missing controls, strongest on likelihood first
    l_steps: list[float]
    i_steps: list[float]


def score_risks(
    catalog: Catalog,
    system: AISystem,
    decisions: list[ThreatDecision],
    views: list[ControlView],
    evidence: EvidenceIndex,
    settings: RiskSettings,
    owner: str | None,
    fact_cache: FactCache | None = None,
) -> tuple[list[RiskItem], dict[tuple[str, str], tuple[int, int]]]:
    """Risk items sorted worst residual first, and each item's inherent (L, I) on the 1-5 scale.

    Pass the `fact_cache` that `derive_threats` filled for this system so facts are evaluated
    once per system, not once for derivation and again for likelihood.
    """
    base: dict[tuple[str, str], tuple[int, int]] = {}
    by_id = {v.id: v for v in views}
    bases = impact_bases(system)
    fact_cache = {} if fact_cache is None else fact_cache
    confidentiality: ConfidentialityMemo = {}
    impacts: dict[tuple[str, tuple[int, str]], ImpactScore] = {}
    items = []
    per_threat: dict[str, _ThreatControls] = {}
    levels = settings.levels
    for decision in decisions:
        if not decision.applicable:
            continue
        threat = catalog.threats[decision.threat_id]
        inherent_l = inherent_likelihood(
            threat, catalog.rules[threat.id], system, decision.component, fact_cache
        )
        likelihood5, likelihood_reason = inherent_l.value, inherent_l.explanation
        conf = confidentiality_base(threat, system, decision.component, confidentiality)
        impact = impacts.get((threat.id, conf))
        if impact is None:  # a threat on several models usually hits the same assets alike
            impact = impacts[(threat.id, conf)] = impact_of(
                threat.impact, system, {**bases, "confidentiality": conf}
            )
        demonstrated = list(evidence.demonstrated.get(threat.id, ()))
        if demonstrated and likelihood5 < DEMONSTRATED_FLOOR:  # shown to work: likely
            likelihood5 = DEMONSTRATED_FLOOR
            likelihood_reason += f"; raised to {likelihood5} (likely): evidence demonstrated it"
        known = per_threat.get(threat.id)
        if known is None:  # same controls for every component: compute once
            known = per_threat[threat.id] = _per_threat(
                catalog, by_id, threat.id, bool(demonstrated)
            )
        base[(threat.id, decision.component)] = (likelihood5, impact.value)
        res_l5, res_i5 = residual_for(
            likelihood5, impact.value, known.l_steps, known.i_steps, bool(demonstrated)
        )
        like, imp = rescale(likelihood5, levels), rescale(impact.value, levels)
        rl, ri = rescale(res_l5, levels), rescale(res_i5, levels)
        inherent, residual = like * imp, rl * ri
        items.append(
            RiskItem(
                threat_id=threat.id,
                threat_name=threat.name,
                component=decision.component,
                assets=threat.assets,
                properties=impact.properties,
                likelihood=like,
                impact=imp,
                inherent=inherent,
                inherent_band=band(inherent, settings),
                residual_likelihood=rl,
                residual_impact=ri,
                residual=residual,
                residual_band=band(residual, settings),
                accepted=False,
                treatment="",
                key=f"{threat.id}@{decision.component}",
                within_appetite=residual <= settings.acceptance,
                suggested_controls=known.suggested,
                controls=known.counted,
                owner=owner,
                role=known.role,
                demonstrated_by=demonstrated,
                impact_reason=impact.reason,
                likelihood_reason=likelihood_reason,
            )
        )
    items.sort(key=lambda r: (-r.residual, -r.inherent, r.threat_id, r.component))
    return items, base
