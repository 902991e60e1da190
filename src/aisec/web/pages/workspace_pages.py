# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""Workspace-wide pages: the live portfolio, the decisions queue, and the auditor's bundle."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.parse
import zipfile

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from aisec.service import ReportFormat
from aisec.store import audit, history, services
from aisec.store.access import Action, allowed
from aisec.store.db import store_key
from aisec.store.models import AuditEntry
from aisec.web.auth import WorkspaceAccess, get_db, require
from aisec.web.pages.common import base_context
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.loading import head_rows
from aisec.web.pages.portfolio import BANDS, BUILDS, Filters, build
from aisec.web.pages.render import FRAGMENTS, render_fragment, render_page, secure

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: Request) -> Filters:
    q = request.query_params
    page = q.get("page", "1")
    band = q.get("band", "")
    return Filters(
        owner=q.get("owner", "")[:200],
        role=q.get("role", "")[:40],
        archetype=q.get("archetype", "")[:60],
        band=band if band in BANDS else "",
        since=_date(q.get("since")),
        page=int(page) if page.isdigit() else 1,
    )


@router.get("/w/{ws}/")
def portfolio_page(
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    filters = _filters(request)
    rows = head_rows(db, access, filters.since)
    query = urllib.parse.urlencode(
        {k: v for k, v in request.query_params.items() if k != "page" and v}
    )
    context = base_context(request, access, "portfolio")
    # The page is a pure function of the head revisions shown, the filters and the day.
    state = hash(tuple((r.slug, r.revision, r.trend) for r in rows))
    key = ("portfolio", store_key(db), access.workspace.id, state, filters, dt.date.today())
    portfolio = BUILDS.get_or_make(key, lambda: build(rows, filters))
    body = FRAGMENTS.get(
        (*key, context["can_write"], query),
        lambda: render_fragment(
            "pages/_portfolio_body.html.j2", **context, p=portfolio, f=filters, query=query
        ),
    )
    return render_page(
        "pages/portfolio.html.j2", **context, p=portfolio, f=filters, query=query, body=body
    )


@router.get("/w/{ws}")
def portfolio_redirect(ws: str) -> Response:
    from aisec.web.pages.common import see_other

    return see_other(f"/w/{urllib.parse.quote(ws)}/")


@router.get("/w/{ws}/decisions")
def decisions_queue(
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    """Risks awaiting a decision: by default those assigned to me (my name as risk owner)."""
    user = access.principal.user
    me = {user.username.lower(), (user.display_name or "").lower()} - {""}
    scope = request.query_params.get("scope", "mine")
    owner = request.query_params.get("owner", "")[:200]
    rows = head_rows(db, access)
    items = []
    expiring: list[tuple[str, str, str]] = []
    for row in sorted(rows, key=lambda r: r.slug):
        for d in row.s.open_decisions:
            mine = d.owner.lower() in me
            if owner and d.owner != owner:
                continue
            if scope == "mine" and not owner and not mine:
                continue
            items.append((row, d))
        expiring.extend((row.slug, key, when) for key, when in row.s.expiring)
    items.sort(key=lambda x: (-x[1].residual, x[0].slug, x[1].key))
    return render_page(
        "pages/decisions.html.j2",
        **base_context(request, access, "decisions"),
        items=items[:300],
        total=len(items),
        scope=scope,
        owner=owner,
        expiring=sorted(expiring, key=lambda x: x[2]),
        today=dt.datetime.now(dt.UTC).date(),
        single=None,
    )


@router.get("/w/{ws}/exports")
def exports_page(
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    rows = head_rows(db, access)
    return render_page(
        "pages/exports.html.j2",
        **base_context(request, access, "exports"),
        rows=sorted(rows, key=lambda r: r.slug),
        formats=[f.value for f in ReportFormat],
    )


@router.get("/w/{ws}/exports/bundle.zip")
def workspace_bundle(
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    """Everything an auditor needs offline: each system's YAML, assessment YAML, JSON and HTML
    report of its head revision, the revision list, and (for auditors and admins) the audit log
    as JSONL they can re-verify with `aisec audit verify`."""
    buffer = io.BytesIO()
    ws = access.workspace
    stmt = services.visible_systems(db, ws, access.principal.user, access.member)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for system in db.scalars(stmt.order_by("slug")):
            folder = f"{ws.slug}/{system.slug}"
            sysrev = services.system_revision(db, system)
            arev = services.assessment_revision(db, system)
            bundle.writestr(f"{folder}/{system.slug}.yaml", sysrev.yaml_text)
            if arev.yaml_text:
                bundle.writestr(f"{folder}/{system.slug}.assessment.yaml", arev.yaml_text)
            for fmt, name in ((ReportFormat.JSON, "json"), (ReportFormat.HTML, "html")):
                bundle.writestr(
                    f"{folder}/report-rev{arev.number}.{name}", history.report(db, system, fmt)
                )
            bundle.writestr(
                f"{folder}/revisions.json", json.dumps(history.revisions(db, system), indent=2)
            )
        if allowed(access.role, Action.READ_AUDIT):
            rows = db.scalars(
                select(AuditEntry).where(AuditEntry.workspace == ws.slug).order_by(AuditEntry.seq)
            )
            bundle.writestr(
                f"{ws.slug}/audit-log.jsonl",
                "".join(json.dumps(audit.as_dict(e), ensure_ascii=False) + "\n" for e in rows),
            )
    response = Response(buffer.getvalue(), media_type="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{ws.slug}-bundle.zip"'
    return secure(response)
