"""Reads the pages need beyond single objects: the head result of every visible system, via
the API's visibility rule (`services.visible_systems`), summarised once per revision."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aisec.common.lru import LRU
from aisec.reports.context import ReportInput
from aisec.store import history, projection, services
from aisec.store.assessing import stored_report_input, stored_result
from aisec.store.db import store_key
from aisec.store.models import AssessmentRevision, AuditHead, System
from aisec.web.auth import WorkspaceAccess
from aisec.web.pages.portfolio import CACHE, Row, Summary, from_projection


def visible(db: Session, access: WorkspaceAccess) -> Any:
    return services.visible_systems(db, access.workspace, access.principal.user, access.member)


_HEADS: LRU[tuple[Any, ...], list[Row]] = LRU(entries=32)


def head_rows(db: Session, access: WorkspaceAccess, since: dt.date | None = None) -> list[Row]:
    """`_head_rows`, reused while nothing was written: every write appends an audit link under
    the global write lock, so the audit head's sequence number versions the whole store (read
    first: rows read after it are at least that new)."""
    seq = db.scalar(select(AuditHead.seq).where(AuditHead.id == 1))
    member = access.member
    contributor = member is not None and member.role == "contributor"
    who = access.principal.user.id if contributor and not access.principal.user.is_admin else 0
    key = (store_key(db), access.workspace.id, who, since, dt.datetime.now(dt.UTC).date(), seq)
    return _HEADS.get_or_make(key, lambda: _head_rows(db, access, since))


def _head_rows(db: Session, access: WorkspaceAccess, since: dt.date | None) -> list[Row]:
    """One row per visible system with its head assessment summarised (cached per revision)."""
    stmt = (
        visible(db, access)
        .with_only_columns(
            System.id,
            System.slug,
            System.assessment_head,
            AssessmentRevision.id,  # the rowid: the unique index covers the join, so no
        )  # revision row (with its large result blob before the small columns) is read
        .join(
            AssessmentRevision,
            (AssessmentRevision.system_id == System.id)
            & (AssessmentRevision.number == System.assessment_head),
        )
    )
    heads = db.execute(stmt).all()
    today = dt.datetime.now(dt.UTC).date()
    summaries: dict[int, Summary] = {}
    store = store_key(db)
    missing = [h for h in heads if (store, h[3], today) not in CACHE]
    stored = _projections(db, [h[3] for h in missing])
    for system_id, _slug, _n, rev_id in heads:
        summaries[system_id] = CACHE.get_or_make(
            (store, rev_id, today), partial(_summary, stored, db, rev_id, today)
        )
    trends = _trends(db, [h[0] for h in heads], since) if since else {}
    return [
        Row(
            slug,
            number,
            summaries[system_id].generated_at,
            summaries[system_id],
            (summaries[system_id].residual_sum - trends[system_id])
            if system_id in trends
            else None,
        )
        for system_id, slug, number, _rev in heads
    ]


def _projections(db: Session, ids: list[int]) -> dict[int, str | None]:
    """Stored projections of these revisions (a few KB each; NULL for old revisions)."""
    out: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.execute(
            select(AssessmentRevision.id, AssessmentRevision.projection).where(
                AssessmentRevision.id.in_(chunk)
            )
        ).all()
        out.update({rid: text for rid, text in rows})
    return out


def _summary(stored: dict[int, str | None], db: Session, rev_id: int, today: dt.date) -> Summary:
    return from_projection(_projection(stored, db, rev_id), today)


def _projection(stored: dict[int, str | None], db: Session, rev_id: int) -> dict[str, Any]:
    """The revision's projection; a revision saved before projections existed (or under
    another projection version) is projected from its stored result instead."""
    found = projection.loads(stored.get(rev_id))
    if found is not None:
        return found
    blob = db.scalar(select(AssessmentRevision.result).where(AssessmentRevision.id == rev_id))
    return projection.project(stored_result(blob or b""))


# A stored revision's parsed result, shared with the exports (one cache, keyed by store and
# revision: ids repeat across databases). Read-only.
result_of = history.parsed_result


def report_input(db: Session, system: System, rev: AssessmentRevision) -> ReportInput:
    """What the report of a stored revision shows, built as every export builds it
    (`store.assessing.stored_report_input`) from the cached parsed result."""
    system_text, assessment_text, evidence = history.revision_inputs(db, system, rev)
    return stored_report_input(result_of(db, rev), system_text, assessment_text, evidence)


def _trends(db: Session, system_ids: list[int], since: dt.date) -> dict[int, int]:
    """Residual sum per system at the end of `since` (its latest revision by then)."""
    cutoff = dt.datetime.combine(since, dt.time.max, tzinfo=dt.UTC)
    out: dict[int, int] = {}
    for start in range(0, len(system_ids), 500):
        chunk = system_ids[start : start + 500]
        rows = db.execute(
            select(AssessmentRevision.system_id, AssessmentRevision.residual_sum)
            .where(
                AssessmentRevision.system_id.in_(chunk),
                AssessmentRevision.created_at <= cutoff,
            )
            .order_by(AssessmentRevision.system_id, AssessmentRevision.number)
        ).all()
        for system_id, value in rows:
            out[system_id] = value  # ordered by number: the last one wins
    return out
