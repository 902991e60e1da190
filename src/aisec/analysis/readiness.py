"""Readiness: how much of the risk-reducing control work is in place, by category, phase, role.

Each relevant control weighs as much as the risk steps it can remove from the applicable
threats, so a missing rate limit on a public model counts more than a missing awareness course.
A slice without any relevant control is reported as not assessed, never as 100 %.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from aisec.analysis.model import ControlView, PracticeAnswer, Readiness, ReadinessScore, RiskItem
from aisec.catalog import Catalog
from aisec.catalog.schema import Category, Phase, Role


def control_weights(catalog: Catalog, risks: list[RiskItem]) -> dict[str, int]:
    weights: dict[str, int] = {}
    for risk in risks:
        for contribution in risk.controls:
            effect = next(e for e in catalog.controls[contribution.control_id].effects
                          if e.threat == risk.threat_id)
            weights[contribution.control_id] = (weights.get(contribution.control_id, 0)
                                                + effect.likelihood + effect.impact)
    return weights


def _score(key: str, label: str, views: Iterable[ControlView], weights: dict[str, int]) -> ReadinessScore:
    chosen = [v for v in views if v.relevant and v.applicable and weights.get(v.id)]
    total = sum(weights[v.id] for v in chosen)
    done = sum(weights[v.id] * v.effective_status.strength for v in chosen)
    return ReadinessScore(
        key=key, label=label, score=round(100.0 * done / total, 1) if total else 0.0,
        controls=len(chosen), implemented=sum(1 for v in chosen if v.effective_status.strength >= 1.0),
        assessed=bool(total),
    )


def readiness(catalog: Catalog, views: list[ControlView], risks: list[RiskItem]) -> Readiness:
    weights = control_weights(catalog, risks)

    def group(keys: Iterable[tuple[str, str]], member: Callable[[ControlView, str], bool]) -> list[ReadinessScore]:
        return [_score(k, label, (v for v in views if member(v, k)), weights) for k, label in keys]

    categories = [(c.value, catalog.categories[c.value].name if c.value in catalog.categories else c.value)
                  for c in Category]
    return Readiness(
        overall=_score("overall", "Overall", views, weights),
        by_category=group(categories, lambda v, k: v.category.value == k),
        by_phase=group([(p.value, p.value) for p in Phase], lambda v, k: k in {p.value for p in v.phases}),
        by_role=group([(r.value, r.value) for r in Role], lambda v, k: v.role.value == k),
    )


def practice_answers(catalog: Catalog, views: list[ControlView]) -> list[PracticeAnswer]:
    by_id = {v.id: v for v in views}
    answers = []
    for practice in catalog.practices.values():
        for question in practice.questions:
            relevant = [by_id[c] for c in question.controls if by_id[c].relevant and by_id[c].applicable]
            score = (round(100.0 * sum(v.effective_status.strength for v in relevant) / len(relevant), 1)
                     if relevant else None)
            answers.append(PracticeAnswer(
                practice_id=practice.id, practice_name=practice.name, question_id=question.id,
                question=question.text, controls=list(question.controls), readiness=score,
            ))
    return answers
