"""Inherent likelihood and impact of one threat on one component, explainable in a paragraph.

Likelihood on 1-5 is built from four parts, each named in the explanation:

- **base**: how often the attack is seen in practice given the skill it needs (catalogue data);
- **reach**: who can attempt it, for threats carried through the model's input (surface `use`;
  not for those that need untrusted content in the prompt, whose attackers plant content instead):
  anyone without logging in +1/2, authenticated outsiders (public or partner) +1/4, only
  authenticated insiders -1; threats of the development or runtime surface have no reach term;
- **leverage**: the rule's aggravating facts with diminishing returns (+1/2, +1/4, +1/8...), so
  together they add one level at most and ten weak signals never outweigh a real exposure;
- **easing**: the rule's easing facts (-1 for the first, -1/2 for the next...).

The sum is rounded half-up and kept within 1-5; a threat that can only be carried out in the
development environment or supply chain is capped at 4, because system facts alone never make
such an attack near-certain. Impact takes the system's ratings per property, except
confidentiality, which follows the declared sensitivity of the assets the threat reaches when
they declare one: public data is capped at 1 and internal at 2, confidential and personal data
keep the system's rating, special-category data is always 5 (a public FAQ store leaking scores
lower than an HR file store).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aisec.analysis.facts import FactCache, FactResult, evaluate_all
from aisec.analysis.risk import ImpactScore, impact_bases, impact_of
from aisec.catalog.schema import ApplicabilityRule, Asset, Fact, Surface, Threat
from aisec.system.schema import AISystem, Model, Sensitivity

REACH_FACTS = (Fact.ANONYMOUS_INPUT, Fact.UNTRUSTED_INPUT, Fact.INTERNAL_ONLY_INPUT)
REACH_WEIGHT = {
    Fact.ANONYMOUS_INPUT: 0.5,
    Fact.UNTRUSTED_INPUT: 0.25,
    Fact.INTERNAL_ONLY_INPUT: -1.0,
}
FIRST_AGGRAVATION = 0.5
FIRST_EASING = 1.0
DEVELOPMENT_CAP = 4
# Confidentiality rating of an asset by its declared sensitivity: public and internal data are
# capped low, confidential and personal data take the system's own rating, special categories
# (health, biometrics...) are always severe.
SENSITIVITY_CAP = {Sensitivity.PUBLIC: 1, Sensitivity.INTERNAL: 2}
SPECIAL_CATEGORY_IMPACT = 5


def sensitivity_impact(sensitivity: Sensitivity, system_rating: int) -> int:
    if sensitivity is Sensitivity.SPECIAL_CATEGORY:
        return SPECIAL_CATEGORY_IMPACT
    return min(system_rating, SENSITIVITY_CAP.get(sensitivity, system_rating))


@dataclass(frozen=True)
class Likelihood:
    value: int  # 1..5
    score: float  # before rounding, for explanation and ranking
    explanation: str


def models_of(system: AISystem, component: str) -> list[Model]:
    chosen = [m for m in system.models if m.id == component]
    return chosen or list(system.models)


def reach(
    threat: Threat,
    rule: ApplicabilityRule,
    system: AISystem,
    models: list[Model],
    cache: FactCache,
) -> tuple[float, FactResult | None]:
    """Who can attempt a threat carried through the model's input; 0 for other surfaces.

    A threat that needs untrusted content in the prompt is attempted by whoever can plant that
    content, not by the interface's users, so the interfaces give it no reach either way.
    """
    if Surface.USE not in threat.surface or Fact.UNTRUSTED_CONTENT_IN_PROMPT in rule.when:
        return 0.0, None
    for fact, result in zip(
        REACH_FACTS, evaluate_all(list(REACH_FACTS), system, models, cache), strict=True
    ):
        if result.holds:
            return REACH_WEIGHT[fact], result
    return 0.0, None


def diminishing(count: int, first: float) -> float:
    """first + first/2 + first/4 ... for `count` facts."""
    return float(sum(first / 2**i for i in range(count)))


def combine(base: int, reach_value: float, aggravating: int, easing: int) -> float:
    return (
        base
        + reach_value
        + diminishing(aggravating, FIRST_AGGRAVATION)
        - diminishing(easing, FIRST_EASING)
    )


def to_level(score: float, cap: int = 5) -> int:
    return max(1, min(cap, math.floor(score + 0.5)))


def cap_of(threat: Threat) -> int:
    return DEVELOPMENT_CAP if set(threat.surface) == {Surface.DEVELOPMENT} else 5


def inherent_likelihood(
    threat: Threat,
    rule: ApplicabilityRule,
    system: AISystem,
    component: str,
    cache: FactCache | None = None,
) -> Likelihood:
    cache = {} if cache is None else cache
    models = models_of(system, component)
    reach_value, reach_fact = reach(threat, rule, system, models, cache)
    agg = [
        r
        for f, r in zip(
            rule.aggravated_by, evaluate_all(rule.aggravated_by, system, models, cache), strict=True
        )
        if r.holds and f not in REACH_FACTS
    ]
    eas = [
        r
        for f, r in zip(
            rule.eased_by, evaluate_all(rule.eased_by, system, models, cache), strict=True
        )
        if r.holds and f not in REACH_FACTS
    ]
    cap = cap_of(threat)
    score = combine(threat.base_likelihood, reach_value, len(agg), len(eas))
    value = to_level(score, cap)
    why = f" ({threat.base_reason})" if threat.base_reason else ""
    parts = [f"base {threat.base_likelihood}{why}"]
    if reach_fact is not None:
        parts.append(f"reach {reach_value:+g} ({reach_fact.because})")
    if agg:
        parts.append(
            f"leverage {diminishing(len(agg), FIRST_AGGRAVATION):+g} ({len(agg)} aggravating)"
        )
    if eas:
        parts.append(f"easing {-diminishing(len(eas), FIRST_EASING):+g} ({len(eas)} easing)")
    capped = " (capped: development-only threat)" if score + 0.5 >= cap + 1 and cap < 5 else ""
    return Likelihood(value, score, f"{' '.join(parts)} = {score:g} -> {value}{capped}")


def _asset_sensitivities(asset: Asset, system: AISystem, models: list[Model]) -> list[Sensitivity]:
    ids = {m.id for m in models}
    if asset is Asset.AUGMENTATION_DATA:
        return [s.sensitivity for s in system.augmentation if ids & set(s.feeds)]
    if asset is Asset.TRAINING_DATA:
        used = {d for m in models for d in m.training_data}
        return [d.sensitivity for d in system.datasets if d.id in used]
    if asset is Asset.INPUT_DATA:
        found = [
            i.request_sensitivity
            for i in system.interfaces
            if ids & set(i.models) and i.request_sensitivity is not None
        ]
        return found + [r.sensitivity for r in system.records if ids & set(r.models)]
    if asset is Asset.CONNECTED_SYSTEMS:
        return [
            t.sensitivity
            for t in system.tools
            if ids & set(t.used_by) and t.sensitivity is not None
        ]
    return []


ConfidentialityMemo = dict[tuple[Asset, str], list[Sensitivity]]


def confidentiality_base(
    threat: Threat, system: AISystem, component: str, memo: ConfidentialityMemo | None = None
) -> tuple[int, str]:
    """The confidentiality rating a leak through this threat deserves: from the declared
    sensitivity of the assets it reaches, else the system's rating. `memo` (one per system)
    keeps each asset's sensitivities per component: threats share assets."""
    memo = {} if memo is None else memo
    models: list[Model] | None = None
    system_rating = system.business_impact.confidentiality
    best, why = 0, ""
    for asset in threat.assets:
        found = memo.get((asset, component))
        if found is None:
            models = models_of(system, component) if models is None else models
            found = memo[(asset, component)] = _asset_sensitivities(asset, system, models)
        if found:
            worst = max(found, key=lambda s: sensitivity_impact(s, system_rating))
            value = sensitivity_impact(worst, system_rating)
            what = f"{asset.value} is {worst.value}"
        else:
            value, what = system_rating, "business impact"
        if value > best:
            best, why = value, what
    return (best, why) if best else (system_rating, "business impact")


def inherent_impact(
    threat: Threat,
    system: AISystem,
    component: str,
    bases: dict[str, tuple[int, str]] | None = None,
    memo: ConfidentialityMemo | None = None,
) -> ImpactScore:
    bases = dict(bases or impact_bases(system))
    bases["confidentiality"] = confidentiality_base(threat, system, component, memo)
    return impact_of(threat.impact, system, bases)
