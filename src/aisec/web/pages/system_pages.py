# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""One system: its report content as a navigable page, its history (timeline, side-by-side diff
of any two revisions, residual trend) and its exports (any revision, every report format)."""

from __future__ import annotations

import difflib
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from aisec.common.lru import LRU
from aisec.reports.context import ReportInput
from aisec.reports.html import html_context
from aisec.service import ReportFormat, render_bytes
from aisec.store import history, services
from aisec.store.access import Action
from aisec.store.db import store_key
from aisec.store.models import System
from aisec.web.auth import WorkspaceAccess, get_db, require
from aisec.web.pages.common import base_context, int_or_none
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.loading import report_input, result_of
from aisec.web.pages.render import FRAGMENTS, render_fragment, render_page, secure
from aisec.web.pages.trend import trend_chart

router = APIRouter(include_in_schema=False, route_class=PageRoute)
P = "/w/{ws}/systems/{slug}"
MEDIA = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def load_system(db: Session, access: WorkspaceAccess, slug: str) -> System:
    """The API's lookup: 404 for another workspace's system or one not shared with a vendor."""
    return services.get_system(db, access.workspace, slug, access.principal.user, access.member)


def system_view(system: System, rev: Any | None = None) -> dict[str, Any]:
    return {
        "slug": system.slug,
        "name": system.name,
        "owner": system.owner,
        "system_revision": system.system_head,
        "assessment_revision": system.assessment_head,
        "updated": rev.created_at if rev is not None else None,
    }


def revision_rows(db: Session, system: System) -> list[dict[str, Any]]:
    """Assessment revisions, newest first, with their stored figures."""
    data = history.revisions(db, system)["assessment"]
    trend = {t["revision"]: t for t in history.trend(db, system)}
    rows = []
    for r in reversed(data):
        rows.append(
            {
                **r,
                "max_residual": "",
                "inherent_sum": trend.get(r["number"], {}).get("inherent_sum", ""),
            }
        )
    return rows


_RECENT: LRU[tuple[int, int, int, int], list[dict[str, Any]]] = LRU(entries=4096)


def recent_revisions(db: Session, system: System) -> list[dict[str, Any]]:
    """The last 10 revision rows, kept per (system, heads): they change only with a new head."""
    key = (store_key(db), system.id, system.system_head, system.assessment_head)
    return _RECENT.get_or_make(key, lambda: revision_rows(db, system)[:10])


@router.get(P)
def system_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    rev = services.assessment_revision(db, system)

    def body() -> str:
        report = report_input(db, system, rev)
        return render_fragment("pages/_report_body.html.j2", **html_context(report))

    return render_page(
        "pages/system.html.j2",
        **base_context(request, access, "portfolio"),
        report_body=FRAGMENTS.get(("report", store_key(db), rev.id), body),  # never changes
        r={"catalog_version": rev.catalog_version},
        sys=system_view(system, rev),
        tab="overview",
        revisions=recent_revisions(db, system),
    )


@router.get(P + "/history")
def history_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    revs = history.revisions(db, system)
    points = [(f"r{t['revision']}", int(t["residual_sum"])) for t in history.trend(db, system)]
    timeline = sorted(
        [{"kind": "assessment", **r} for r in revs["assessment"]]
        + [{"kind": "system", **r} for r in revs["system"]],
        key=lambda r: (r["created_at"], r["kind"] == "assessment", r["number"]),
        reverse=True,
    )
    return render_page(
        "pages/history.html.j2",
        **base_context(request, access, "portfolio"),
        sys=system_view(system),
        tab="history",
        timeline=timeline,
        numbers=[r["number"] for r in revs["assessment"]],
        chart=trend_chart(points, f"{system.name}: residual risk total per revision"),
    )


def side_by_side(old: str, new: str) -> list[tuple[str, str, str]]:
    """(kind, left line, right line) rows: equal, del, add or change, for two YAML texts."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[tuple[str, str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = a[i1:i2], b[j1:j2]
        if tag == "equal":
            rows.extend(("equal", x, x) for x in left)
            continue
        for k in range(max(len(left), len(right))):
            x = left[k] if k < len(left) else ""
            y = right[k] if k < len(right) else ""
            kind = "change" if x and y else ("del" if x else "add")
            rows.append((kind, x, y))
    return rows


@router.get(P + "/diff")
def diff_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    head = system.assessment_head
    old = int_or_none(request.query_params.get("a")) or max(1, head - 1)
    new = int_or_none(request.query_params.get("b")) or head
    data = history.diff(db, system, old, new)
    rev_a = services.assessment_revision(db, system, old)
    rev_b = services.assessment_revision(db, system, new)
    sys_a = services.system_revision(db, system, rev_a.system_revision)
    sys_b = services.system_revision(db, system, rev_b.system_revision)
    return render_page(
        "pages/diff.html.j2",
        **base_context(request, access, "portfolio"),
        sys=system_view(system),
        tab="history",
        d=data,
        a=old,
        b=new,
        numbers=list(range(1, head + 1)),
        assessment_rows=side_by_side(rev_a.yaml_text or "", rev_b.yaml_text or ""),
        system_rows=side_by_side(sys_a.yaml_text, sys_b.yaml_text),
        system_numbers=(rev_a.system_revision, rev_b.system_revision),
    )


@router.get(P + "/exports")
def system_exports(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    return render_page(
        "pages/exports.html.j2",
        **base_context(request, access, "exports"),
        sys=system_view(system),
        tab="exports",
        revisions=list(reversed(history.revisions(db, system)["assessment"])),
        formats=[f.value for f in ReportFormat],
        rows=[],
    )


@router.get(P + "/revisions/{number}/report.{fmt}")
def revision_report(
    slug: str,
    number: int,
    fmt: str,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    try:
        chosen = ReportFormat(fmt)
    except ValueError:
        from fastapi import HTTPException

        raise HTTPException(404, f"no report format {fmt!r}") from None
    body: str | bytes
    if chosen is ReportFormat.XLSX:  # binary: the service renders it from the stored result
        rev = services.assessment_revision(db, system, number)
        body = render_bytes(ReportInput(result=result_of(db, rev)), chosen)
    else:
        body = history.report(db, system, chosen, number)
    response = Response(body, media_type=MEDIA.get(fmt, "application/octet-stream"))
    response.headers["Content-Disposition"] = (
        f'{"inline" if fmt == "html" else "attachment"}; filename="{system.slug}-rev{number}.{fmt}"'
    )
    secure(response)
    if fmt == "html":  # a stored report is a document, never an app: no script, sandboxed
        response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@router.get(P + "/assessment.yaml")
def assessment_yaml(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    rev = services.assessment_revision(db, system, int_or_none(request.query_params.get("rev")))
    response = Response((rev.yaml_text or "").encode("utf-8"), media_type="application/yaml")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{system.slug}.assessment.yaml"'
    )
    return secure(response)
