"""The live portfolio: every system of a workspace, worst residual risk first, with what needs
someone's attention (open decisions per owner, overdue roadmap items, demonstrated threats).

Pure view model over the per-revision projection the store writes with each result
(`aisec.store.projection`): a revision never changes, so its summary is built once per revision
and day and kept in a bounded cache; a cold cache reads a few KB of JSON per system, never the
stored result itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markupsafe import Markup

from aisec.analysis.model import AssessmentResult, ReadinessScore
from aisec.common.lru import LRU
from aisec.reports import charts
from aisec.store.projection import project

PAGE_SIZE = 50
BANDS = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class OpenDecision:
    key: str
    threat_name: str
    owner: str
    state: str
    residual: int
    band: str
    threat_id: str = ""
    component: str = ""
    demonstrated_by: tuple[str, ...] = ()
    evidence_files: tuple[str, ...] = ()  # what an acceptance may name (file name or hash)


@dataclass(frozen=True)
class Summary:
    """What the portfolio shows of one stored result (small; cached per revision)."""

    name: str
    owner: str
    org_role: str
    archetypes: tuple[str, ...]
    max_inherent: int
    max_residual: int
    band: str
    risks: int
    above: int
    readiness: float | None
    open_decisions: tuple[OpenDecision, ...]
    overdue: tuple[tuple[str, str, str], ...]  # control id, owner, due (ISO)
    demonstrated: tuple[tuple[str, str], ...]  # risk key, threat name
    categories: tuple[ReadinessScore, ...]
    strip: Markup
    expiring: tuple[tuple[str, str], ...] = ()  # risk key, review_by (ISO)
    residual_sum: int = 0
    generated_at: dt.datetime | None = None


def summarise(result: AssessmentResult, today: dt.date) -> Summary:
    return from_projection(project(result), today)


def from_projection(p: Mapping[str, Any], today: dt.date) -> Summary:
    """The portfolio's view of one revision from its stored projection (`store.projection`):
    what depends on the day (overdue items, decisions to review soon) is decided here."""
    bands = p["bands"]
    soon = (today + dt.timedelta(days=30)).isoformat()
    return Summary(
        name=p["name"],
        owner=p["owner"],
        org_role=p["org_role"],
        archetypes=tuple(p["archetypes"]),
        max_inherent=p["max_inherent"],
        max_residual=p["max_residual"],
        band=charts.band_of(p["max_residual"], bands),
        risks=p["risks"],
        above=p["above"],
        readiness=p["readiness"],
        open_decisions=tuple(
            OpenDecision(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], tuple(d[8]), tuple(d[9]))
            for d in p["open"]
        ),
        overdue=tuple((c, o, due) for c, o, due in p["due"] if dt.date.fromisoformat(due) < today),
        demonstrated=tuple((k, n) for k, n in p["demonstrated"]),
        categories=tuple(ReadinessScore.model_validate(c) for c in p["categories"]),
        strip=charts.risk_strip(
            p["max_inherent"],
            p["max_residual"],
            p["levels"] * p["levels"],
            bands,
            f"{p['name']}: highest risk {p['max_inherent']} inherent, {p['max_residual']} residual",
        ),
        expiring=tuple((k, when) for k, when in p["reviews"] if when <= soon),
        residual_sum=p["residual_sum"],
        generated_at=(dt.datetime.fromisoformat(p["generated_at"]) if p["generated_at"] else None),
    )


# Summaries by (store, revision id, day): a revision never changes, a summary depends on the day
CACHE: LRU[tuple[int, int, dt.date], Summary] = LRU(entries=4096)


class Row(NamedTuple):
    """One system on the portfolio (a named tuple: a thousand are built per view)."""

    slug: str
    revision: int
    updated: dt.datetime | None
    s: Summary
    trend: int | None = None  # change of the residual sum since the chosen date


@dataclass(frozen=True)
class Filters:
    owner: str = ""
    role: str = ""
    archetype: str = ""
    band: str = ""
    since: dt.date | None = None
    page: int = 1

    def match(self, s: Summary) -> bool:
        return (
            (not self.owner or self.owner.lower() in s.owner.lower())
            and (not self.role or s.org_role == self.role)
            and (not self.archetype or self.archetype in s.archetypes)
            and (not self.band or s.band == self.band)
        )


@dataclass
class Portfolio:
    rows: list[Row]
    total: int
    page: int
    pages: int
    owners_waiting: list[tuple[str, int]]
    overdue: list[tuple[str, str, str, str]]  # slug, control, owner, due
    demonstrated: list[tuple[str, str, str]]  # slug, risk key, threat name
    readiness: Markup | None
    trend_total: int | None
    options: Mapping[str, Sequence[str]] = field(default_factory=dict)


# The last few portfolio views by (store, workspace, head revisions, filters, day)
BUILDS: LRU[Hashable, Portfolio] = LRU(entries=64)


def build(rows: Sequence[Row], filters: Filters) -> Portfolio:
    """Filter, rank (worst residual, then most above acceptance) and paginate."""
    kept = sorted(
        (r for r in rows if filters.match(r.s)),
        key=lambda r: (-r.s.max_residual, -r.s.above, r.slug),
    )
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    waiting: Counter[str] = Counter(d.owner for r in kept for d in r.s.open_decisions)
    overdue = [(r.slug, c, o, due) for r in kept for c, o, due in r.s.overdue]
    demonstrated = [(r.slug, key, name) for r in kept for key, name in r.s.demonstrated]
    trends = [r.trend for r in kept if r.trend is not None]
    return Portfolio(
        rows=kept[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(kept),
        page=page,
        pages=pages,
        owners_waiting=waiting.most_common(),
        overdue=sorted(overdue, key=lambda x: x[3])[:100],
        demonstrated=demonstrated[:100],
        readiness=_readiness(kept),
        trend_total=sum(trends) if filters.since and trends else None,
        options={
            "role": sorted({r.s.org_role for r in rows}),
            "archetype": sorted({a for r in rows for a in r.s.archetypes}),
            "band": list(BANDS),
        },
    )


def _readiness(rows: Sequence[Row]) -> Markup | None:
    """Mean readiness per control category over the systems where the category is assessed."""
    sums: dict[str, list[float]] = {}
    labels: dict[str, str] = {}
    counts: dict[str, tuple[int, int]] = {}
    for row in rows:
        for score in row.s.categories:
            labels[score.key] = score.label
            controls, implemented = counts.get(score.key, (0, 0))
            counts[score.key] = (controls + score.controls, implemented + score.implemented)
            if score.assessed:
                sums.setdefault(score.key, []).append(score.score)
    if not labels:
        return None
    scores = [
        ReadinessScore(
            key=key,
            label=labels[key],
            score=sum(sums[key]) / len(sums[key]) if key in sums else 0.0,
            controls=counts[key][0],
            implemented=counts[key][1],
            assessed=key in sums,
        )
        for key in labels
    ]
    return charts.readiness_bars(scores, "Readiness per control category, portfolio mean")
