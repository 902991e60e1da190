"""Readiness: how much of the risk-reducing control work is in place, by category, phase, role.

Each relevant control weighs as much as the risk steps it can remove from the applicable
threats, so a missing rate limit on a public model counts more than a missing awareness course.
A slice without any relevant control is reported as not assessed, never as 100 %.
Supplier-provided controls are scored apart (`supplier`): the overall figure and the slices are
the organisation's own work.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from aisec.analysis.model import ControlView, PracticeAnswer, Readiness, ReadinessScore, RiskItem
from aisec.catalog import Catalog
from aisec.catalog.schema import Category, Phase, Role


def control_weights(catalog: Catalog, risks: list[RiskItem]) -> dict[str, int]:
    weights: dict[str, int] = {}
    for risk in risks:
        for contribution in risk.controls:
            effect = catalog.effect(contribution.control_id, risk.threat_id)
            weights[contribution.control_id] = (
                weights.get(contribution.control_id, 0) + effect.likelihood + effect.impact
            )
    return weights


def _score(
    key: str, label: str, views: Iterable[ControlView], weights: dict[str, int]
) -> ReadinessScore:
    total = done = 0.0
    count = implemented = 0
    for v in views:
        weight = weights.get(v.id, 0)
        if not (weight and v.relevant and v.applicable):
            continue
        strength = v.effective_status.strength
        total += weight
        done += weight * strength
        count += 1
        implemented += strength >= 1.0
    return ReadinessScore(
        key=key,
        label=label,
        score=round(100.0 * done / total, 1) if total else 0.0,
        controls=count,
        implemented=implemented,
        assessed=bool(total),
    )


def readiness(catalog: Catalog, views: list[ControlView], risks: list[RiskItem]) -> Readiness:
    weights = control_weights(catalog, risks)
    counted = [v for v in views if v.relevant and v.applicable and weights.get(v.id)]
    in_scope = [v for v in counted if not v.supplier_provided]
    supplier = [v for v in counted if v.supplier_provided]
    by_category: dict[str, list[ControlView]] = {}
    by_phase: dict[str, list[ControlView]] = {}
    by_role: dict[str, list[ControlView]] = {}
    for v in in_scope:
        by_category.setdefault(v.category.value, []).append(v)
        by_role.setdefault(v.role.value, []).append(v)
        for phase in v.phases:
            by_phase.setdefault(phase.value, []).append(v)

    def label(c: Category) -> str:
        return catalog.categories[c.value].name if c.value in catalog.categories else c.value

    return Readiness(
        overall=_score("overall", "Overall (own work)", in_scope, weights),
        supplier=_score("supplier", "Supplier-provided", supplier, weights),
        by_category=[
            _score(c.value, label(c), by_category.get(c.value, []), weights) for c in Category
        ],
        by_phase=[_score(p.value, p.value, by_phase.get(p.value, []), weights) for p in Phase],
        by_role=[_score(r.value, r.value, by_role.get(r.value, []), weights) for r in Role],
    )


def practice_answers(catalog: Catalog, views: list[ControlView]) -> list[PracticeAnswer]:
    by_id = {v.id: v for v in views}
    answers = []
    for practice in catalog.practices.values():
        for question in practice.questions:
            relevant = [
                by_id[c] for c in question.controls if by_id[c].relevant and by_id[c].applicable
            ]
            score = (
                round(100.0 * sum(v.effective_status.strength for v in relevant) / len(relevant), 1)
                if relevant
                else None
            )
            answers.append(
                _answer(
                    practice.id,
                    practice.name,
                    question.id,
                    question.text,
                    tuple(question.controls),
                    score,
                )
            )
    return answers


@lru_cache(maxsize=4096)
def _answer(
    practice_id: str,
    practice_name: str,
    question_id: str,
    question: str,
    controls: tuple[str, ...],
    readiness: float | None,
) -> PracticeAnswer:
    """Answers are frozen values: one per question and readiness figure, shared by systems."""
    return PracticeAnswer(
        practice_id=practice_id,
        practice_name=practice_name,
        question_id=question_id,
        question=question,
        controls=list(controls),
        readiness=readiness,
    )
