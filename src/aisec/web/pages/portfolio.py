"""The live portfolio: every system of a workspace, worst residual risk first, with what needs
someone's attention (open decisions per owner, overdue roadmap items, demonstrated threats).

Pure view model over stored analysis results. A revision never changes, so each result's summary
is computed once per revision and kept in a bounded cache: the page stays fast with a thousand
systems without a second, denormalised copy of the analysis in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import NamedTuple

from markupsafe import Markup

from aisec.analysis.model import AssessmentResult, ReadinessScore
from aisec.reports import charts

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
    t = result.totals
    levels = int(result.bands.get("levels", 5))
    open_decisions = tuple(
        OpenDecision(
            r.key or f"{r.threat_id}@{r.component}",
            r.threat_name,
            (r.decision.risk_owner if r.decision else None) or r.owner or result.owner,
            r.decision_state.label,
            r.residual,
            r.residual_band,
            r.threat_id,
            r.component,
            tuple(r.demonstrated_by),
            tuple(f.rsplit("/", 1)[-1] for f in result.evidence_files) if r.demonstrated_by else (),
        )
        for r in result.risks
        if r.decision_state.needs_decision
    )
    soon = today + dt.timedelta(days=30)
    expiring = tuple(
        (r.key, r.decision.review_by.isoformat())
        for r in result.risks
        if r.decision and r.decision.review_by and r.decision.review_by <= soon
    )
    overall = result.readiness.overall
    return Summary(
        name=result.system_name,
        owner=result.owner,
        org_role=str(result.organisation_role),
        archetypes=tuple(str(a) for a in result.archetypes),
        max_inherent=t.max_inherent,
        max_residual=t.max_residual,
        band=charts.band_of(t.max_residual, result.bands),
        risks=t.risks,
        above=t.risks_above_acceptance,
        readiness=overall.score if overall.assessed else None,
        open_decisions=open_decisions,
        overdue=tuple(
            (i.control_id, i.owner or "", i.due.isoformat())
            for i in result.roadmap
            if i.due and i.due < today and not i.supplier_provided
        ),
        demonstrated=tuple(
            (r.key or r.threat_id, r.threat_name) for r in result.risks if r.demonstrated_by
        ),
        categories=tuple(result.readiness.by_category),
        strip=charts.risk_strip(
            t.max_inherent,
            t.max_residual,
            levels * levels,
            result.bands,
            f"{result.system_name}: highest risk {t.max_inherent} inherent, "
            f"{t.max_residual} residual",
        ),
        expiring=expiring,
        residual_sum=t.residual_sum,
        generated_at=result.generated_at,
    )


class SummaryCache:
    """Bounded LRU of summaries by (revision key, day): revisions are immutable."""

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[tuple[str, dt.date], Summary] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def has(self, key: str, today: dt.date) -> bool:
        with self._lock:
            return (key, today) in self._items

    def get(self, key: str, today: dt.date, load: Callable[[], AssessmentResult]) -> Summary:
        with self._lock:
            hit = self._items.get((key, today))
            if hit is not None:
                self._items.move_to_end((key, today))
                return hit
        summary = summarise(load(), today)
        with self._lock:
            self._items[(key, today)] = summary
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return summary


CACHE = SummaryCache()


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


class BuildCache:
    """The last few portfolio views by (workspace, head revisions, filters, day)."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[Hashable, Portfolio] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: Hashable, make: Callable[[], Portfolio]) -> Portfolio:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


BUILDS = BuildCache()


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
