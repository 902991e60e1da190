"""Threat derivation: which catalogue threats apply to which component of a system, and why.

Rules are catalogue data (`applicability.yaml`); this module only evaluates them. Each decision
keeps the sentences of the facts it used, so an included threat names what causes it and an
excluded one names the missing fact.
"""

from __future__ import annotations

from aisec.analysis.facts import FactCache, evaluate_all
from aisec.analysis.likelihood import reach
from aisec.analysis.model import ThreatDecision
from aisec.catalog import Catalog
from aisec.catalog.schema import ApplicabilityRule, RuleScope, Threat
from aisec.system.schema import AISystem, Model

_Verdict = tuple[bool, list[str], list[str], list[str]]  # applicable, rationale, aggr., easing


def _verdict(
    rule: ApplicabilityRule,
    system: AISystem,
    models: list[Model],
    cache: FactCache,
    threat: Threat | None,
) -> _Verdict:
    when = evaluate_all(rule.when, system, models, cache)
    any_of = evaluate_all(rule.any_of, system, models, cache)
    missing = [r for r in when if not r.holds]
    rationale: list[str]
    if missing:
        return False, [r.because for r in missing], [], []
    if any_of and not any(r.holds for r in any_of):
        return False, [" and ".join(r.because for r in any_of)], [], []
    rationale = [r.because for r in when] + [r.because for r in any_of if r.holds]
    if rule.note:
        rationale.append(rule.note)
    aggravating = [
        r.because for r in evaluate_all(rule.aggravated_by, system, models, cache) if r.holds
    ]
    easing = [r.because for r in evaluate_all(rule.eased_by, system, models, cache) if r.holds]
    if threat is not None:  # who can attempt it, shown with the other likelihood factors
        value, held = reach(threat, rule, system, models, cache)
        if held is not None and value > 0:
            aggravating = [held.because, *aggravating]
        elif held is not None:
            easing = [held.because, *easing]
    return True, rationale, aggravating, easing


def _decision(
    rule: ApplicabilityRule, threat_name: str, component: str, verdict: _Verdict
) -> ThreatDecision:
    applicable, rationale, aggravating, easing = verdict
    return ThreatDecision(
        threat_id=rule.threat,
        threat_name=threat_name,
        component=component,
        applicable=applicable,
        rationale=rationale,
        aggravating=aggravating,
        easing=easing,
    )


def decide(
    rule: ApplicabilityRule,
    threat_name: str,
    system: AISystem,
    models: list[Model],
    component: str,
    cache: FactCache | None = None,
    threat: Threat | None = None,
) -> ThreatDecision:
    cache = {} if cache is None else cache
    return _decision(rule, threat_name, component, _verdict(rule, system, models, cache, threat))


def derive_threats(
    catalog: Catalog, system: AISystem, cache: FactCache | None = None
) -> list[ThreatDecision]:
    """One decision per threat and model (model-scoped rules) or per threat (system-scoped).

    A model-scoped threat that applies to no model yields one exclusion row for the system
    summarising why, so every catalogue threat is accounted for exactly once or more. `cache`
    keeps the facts evaluated here for scoring the same system (`score_risks`).
    """
    decisions: list[ThreatDecision] = []
    cache = {} if cache is None else cache
    for threat_id, threat in catalog.threats.items():
        rule = catalog.rules[threat_id]
        if rule.scope is RuleScope.SYSTEM:
            verdict = _verdict(rule, system, list(system.models), cache, threat)
            decisions.append(_decision(rule, threat.name, "system", verdict))
            continue
        # Decisions are only built for the rows returned: a model the threat does not reach
        # matters only when it reaches none, and then one summary row names every reason.
        per_model = [(m.id, _verdict(rule, system, [m], cache, threat)) for m in system.models]
        applicable = [(mid, v) for mid, v in per_model if v[0]]
        if applicable:
            decisions.extend(_decision(rule, threat.name, mid, v) for mid, v in applicable)
        else:
            reasons = [r for _, v in per_model for r in v[1]]
            decisions.append(
                ThreatDecision(
                    threat_id=threat_id,
                    threat_name=threat.name,
                    component="system",
                    applicable=False,
                    rationale=reasons,
                )
            )
    return decisions
