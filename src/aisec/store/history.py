"""Read side of the team server: portfolio, revisions, diffs, trends and stored reports.

Everything here reads stored revisions (never re-runs an old one), so history reads the same
after a catalogue update.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from aisec.analysis.model import AssessmentResult
from aisec.service import ReportFormat
from aisec.store.assessing import (
    RevisionKey,
    cached,
    render_stored,
    stored_payload,
    stored_result,
    stored_result_payload,
)
from aisec.store.db import store_key
from aisec.store.diff import diff_markdown, diff_payloads
from aisec.store.models import (
    AssessmentRevision,
    System,
    SystemRevision,
    User,
    Workspace,
)
from aisec.store.services import assessment_revision, evidence_of, system_revision


def _iso(value: Any) -> str:
    return str(value.isoformat()) if value is not None else ""


def portfolio(
    s: Session, systems_stmt: Select[tuple[System]], limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """One row per system with its head assessment figures (one query, no result decoding)."""
    stmt = (
        systems_stmt.add_columns(AssessmentRevision)
        .join(
            AssessmentRevision,
            (AssessmentRevision.system_id == System.id)
            & (AssessmentRevision.number == System.assessment_head),
        )
        .order_by(System.slug)
        .offset(offset)
        .limit(limit)
    )
    return [
        {
            "id": system.slug,
            "name": system.name,
            "owner": system.owner,
            "system_revision": system.system_head,
            "assessment_revision": system.assessment_head,
            "residual_sum": rev.residual_sum,
            "inherent_sum": rev.inherent_sum,
            "max_residual": rev.max_residual,
            "risks_above_acceptance": rev.above_acceptance,
            "readiness": rev.readiness,
            "updated_at": _iso(rev.created_at),
        }
        for system, rev in s.execute(stmt).all()
    ]


def _authors(s: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = [i for i in ids if i is not None]
    names: dict[int | None, str] = {None: "cli"}
    if wanted:
        names.update({u.id: u.username for u in s.scalars(select(User).where(User.id.in_(wanted)))})
    return names


def revisions(s: Session, system: System) -> dict[str, list[dict[str, Any]]]:
    srevs = list(
        s.scalars(
            select(SystemRevision)
            .where(SystemRevision.system_id == system.id)
            .order_by(SystemRevision.number)
        )
    )
    arevs = list(
        s.execute(
            select(
                AssessmentRevision.number,
                AssessmentRevision.system_revision,
                AssessmentRevision.author_id,
                AssessmentRevision.message,
                AssessmentRevision.label,
                AssessmentRevision.catalog_version,
                AssessmentRevision.created_at,
                AssessmentRevision.residual_sum,
                AssessmentRevision.sha256,
                AssessmentRevision.evidence_ids,
            )
            .where(AssessmentRevision.system_id == system.id)
            .order_by(AssessmentRevision.number)
        ).all()
    )
    names = _authors(s, {r.author_id for r in srevs} | {r.author_id for r in arevs})
    return {
        "system": [
            {
                "number": r.number,
                "author": names.get(r.author_id, "?"),
                "message": r.message,
                "created_at": _iso(r.created_at),
                "sha256": r.sha256,
            }
            for r in srevs
        ],
        "assessment": [
            {
                "number": r.number,
                "system_revision": r.system_revision,
                "author": names.get(r.author_id, "?"),
                "message": r.message,
                "label": r.label,
                "catalog_version": r.catalog_version,
                "created_at": _iso(r.created_at),
                "residual_sum": r.residual_sum,
                "sha256": r.sha256,
                "evidence": [int(x) for x in r.evidence_ids.split(",") if x],
            }
            for r in arevs
        ],
    }


def diff(s: Session, system: System, old: int, new: int) -> dict[str, Any]:
    a = assessment_revision(s, system, old)
    b = assessment_revision(s, system, new)
    out = diff_payloads(_result_payload(s, a), _result_payload(s, b))
    return {"system": system.slug, "from": old, "to": new, **out}


def diff_md(s: Session, system: System, old: int, new: int) -> str:
    data = diff(s, system, old, new)
    return diff_markdown(data, f"{system.slug}: assessment revision {old} → {new}")


def trend(s: Session, system: System) -> list[dict[str, Any]]:
    rows = s.execute(
        select(
            AssessmentRevision.number,
            AssessmentRevision.created_at,
            AssessmentRevision.residual_sum,
            AssessmentRevision.inherent_sum,
            AssessmentRevision.label,
        )
        .where(AssessmentRevision.system_id == system.id)
        .order_by(AssessmentRevision.number)
    ).all()
    return [
        {
            "revision": r.number,
            "at": _iso(r.created_at),
            "residual_sum": r.residual_sum,
            "inherent_sum": r.inherent_sum,
            "label": r.label,
        }
        for r in rows
    ]


def workspace_trend(
    s: Session, ws: Workspace, systems_stmt: Select[tuple[System]]
) -> list[dict[str, Any]]:
    """Total residual risk of the workspace after each saved revision, in time order."""
    ids = select(System.id).where(System.id.in_(systems_stmt.with_only_columns(System.id)))
    rows = s.execute(
        select(
            AssessmentRevision.system_id,
            AssessmentRevision.created_at,
            AssessmentRevision.residual_sum,
        )
        .where(AssessmentRevision.system_id.in_(ids))
        .order_by(AssessmentRevision.created_at, AssessmentRevision.id)
    ).all()
    latest: dict[int, int] = {}
    points = []
    for r in rows:
        latest[r.system_id] = r.residual_sum
        points.append(
            {"at": _iso(r.created_at), "residual_sum": sum(latest.values()), "systems": len(latest)}
        )
    return points


def report(s: Session, system: System, fmt: ReportFormat, number: int | None = None) -> bytes:
    rev = assessment_revision(s, system, number)
    if fmt in (ReportFormat.JSON, ReportFormat.CSV, ReportFormat.XLSX):
        # these render the stored result alone: skip loading the YAML and evidence bodies
        return render_stored(rev.result, fmt, "", None, (), _key(s, rev))
    system_text, assessment_text, evidence = revision_inputs(s, system, rev)
    return render_stored(rev.result, fmt, system_text, assessment_text, evidence, _key(s, rev))


def revision_inputs(
    s: Session, system: System, rev: AssessmentRevision
) -> tuple[str, str | None, list[tuple[str, bytes]]]:
    """What a stored revision was analysed from: system YAML, assessment YAML and the evidence
    files (name, bytes) it counted."""
    sysrev = system_revision(s, system, rev.system_revision)
    ids = [int(x) for x in rev.evidence_ids.split(",") if x]
    evidence = [(e.filename, e.content) for e in evidence_of(s, system, ids)]
    return sysrev.yaml_text, rev.yaml_text, evidence


def _key(s: Session, rev: AssessmentRevision) -> RevisionKey:
    return (store_key(s), rev.id)


def _payload(s: Session, rev: AssessmentRevision) -> dict[str, Any]:
    """The stored payload of a revision, parsed once per process (LRU by store and revision)."""
    return cached("payload", _key(s, rev), lambda: stored_payload(rev.result))


def parsed_result(s: Session, rev: AssessmentRevision) -> AssessmentResult:
    """The revision's `AssessmentResult`, parsed once per process in the same byte-budgeted
    cache the exports use (`render_stored`), so a page and an export of one revision share it.
    The stored blob is read only on a miss. Read-only."""
    return cached("result", _key(s, rev), lambda: stored_result(rev.result))


def _result_payload(s: Session, rev: AssessmentRevision) -> dict[str, Any]:
    """{'result'} only (what diff and the system page read): skips parsing the extras."""
    return cached("result-data", _key(s, rev), lambda: stored_result_payload(rev.result))


def result_only(s: Session, system: System, number: int | None = None) -> dict[str, Any]:
    """Stored {'result'} of a revision without its extras: shared, treat as read-only."""
    return _result_payload(s, assessment_revision(s, system, number))


def result(s: Session, system: System, number: int | None = None) -> dict[str, Any]:
    """Stored payload {'result', 'extras'} of a revision: shared, treat as read-only."""
    return _payload(s, assessment_revision(s, system, number))
