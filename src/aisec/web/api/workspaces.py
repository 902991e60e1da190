# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""Workspaces, members, sharing, the portfolio, trends, the audit log and jobs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from aisec.jobs import job_dict
from aisec.store import audit, history, services
from aisec.store.access import Action
from aisec.store.db import lock_writes
from aisec.store.models import AuditEntry, Job
from aisec.web.api.schemas import JobIn, MemberIn, ShareIn, WorkspaceIn, WorkspaceOut
from aisec.web.auth import (
    Principal,
    WorkspaceAccess,
    check_csrf,
    csrf_token,
    current_principal,
    get_db,
    require,
)

router = APIRouter(tags=["workspaces"])


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(
    principal: Principal = Depends(current_principal), db: Session = Depends(get_db)
) -> list[WorkspaceOut]:
    if not principal.actor.has_scope("read"):
        raise HTTPException(403, "this token lacks the 'read' scope")
    return [
        WorkspaceOut(slug=w.slug, name=w.name, role=r)
        for w, r in services.workspaces_of(db, principal.user)
    ]


@router.post("/workspaces", response_model=WorkspaceOut, status_code=201)
def create_workspace(
    body: WorkspaceIn,
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = Depends(get_db),
    csrf: str | None = Depends(csrf_token),
) -> WorkspaceOut:
    check_csrf(request, principal, csrf)
    if not principal.user.is_admin:
        raise HTTPException(403, "site administrators only")
    if not principal.actor.has_scope("write"):
        raise HTTPException(403, "this token lacks the 'write' scope")
    lock_writes(db)
    ws = services.create_workspace(db, principal.actor, body.slug, body.name)
    db.commit()
    return WorkspaceOut(slug=ws.slug, name=ws.name, role="admin", systems=0)


@router.get("/workspaces/{ws}", response_model=WorkspaceOut)
def get_workspace(
    acc: WorkspaceAccess = Depends(require(Action.READ)), db: Session = Depends(get_db)
) -> WorkspaceOut:
    return WorkspaceOut(
        slug=acc.workspace.slug,
        name=acc.workspace.name,
        role=acc.role.value,
        systems=services.count_systems(db, acc.workspace),
    )


@router.put("/workspaces/{ws}/members/{username}", status_code=204)
def set_member(
    username: str,
    body: MemberIn,
    acc: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    services.set_member(db, acc.actor, acc.workspace, username, body.role, body.granted_role)
    db.commit()
    return Response(status_code=204)


@router.delete("/workspaces/{ws}/members/{username}", status_code=204)
def remove_member(
    username: str,
    acc: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    services.remove_member(db, acc.actor, acc.workspace, username)
    db.commit()
    return Response(status_code=204)


@router.post("/workspaces/{ws}/systems/{system_id}/shares", status_code=204)
def share_system(
    system_id: str,
    body: ShareIn,
    acc: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    system = services.get_system(db, acc.workspace, system_id)
    services.share_system(db, acc.actor, acc.workspace, system, body.username)
    db.commit()
    return Response(status_code=204)


@router.delete("/workspaces/{ws}/systems/{system_id}/shares/{username}", status_code=204)
def unshare_system(
    system_id: str,
    username: str,
    acc: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """End a share: the contributor no longer sees the system (audited)."""
    system = services.get_system(db, acc.workspace, system_id)
    services.unshare_system(db, acc.actor, acc.workspace, system, username)
    db.commit()
    return Response(status_code=204)


def visible(db: Session, acc: WorkspaceAccess) -> Any:
    return services.visible_systems(db, acc.workspace, acc.principal.user, acc.member)


@router.get("/workspaces/{ws}/systems")
def portfolio(
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
    limit: int = Query(200, ge=1, le=5000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    """Systems sorted by id with their head figures, one page at a time."""
    return history.portfolio(db, visible(db, acc), limit, offset)


@router.get("/workspaces/{ws}/trend")
def workspace_trend(
    acc: WorkspaceAccess = Depends(require(Action.READ)), db: Session = Depends(get_db)
) -> list[dict[str, Any]]:
    return history.workspace_trend(db, acc.workspace, visible(db, acc))


@router.get("/workspaces/{ws}/audit")
def workspace_audit(
    acc: WorkspaceAccess = Depends(require(Action.READ_AUDIT)),
    db: Session = Depends(get_db),
    limit: int = Query(100, ge=1, le=1000),
    before: int | None = Query(None, ge=1, description="rows with seq below this"),
    fmt: str = Query("json", pattern="^(json|jsonl)$", alias="format"),
) -> Any:
    stmt = select(AuditEntry).where(AuditEntry.workspace == acc.workspace.slug)
    if before is not None:
        stmt = stmt.where(AuditEntry.seq < before)
    rows = [audit.as_dict(e) for e in db.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit))]
    if fmt == "jsonl":
        return PlainTextResponse(
            "".join(json.dumps(r) + "\n" for r in rows), media_type="application/x-ndjson"
        )
    return rows


@router.get("/audit/export")
def export_audit(
    principal: Principal = Depends(current_principal), db: Session = Depends(get_db)
) -> StreamingResponse:
    """Whole chain as JSONL (site administrators), re-verifiable with 'aisec audit verify'."""
    if not principal.user.is_admin:
        raise HTTPException(403, "site administrators only")
    lines = list(audit.export_lines(db))
    return StreamingResponse(iter(line + "\n" for line in lines), media_type="application/x-ndjson")


@router.post("/workspaces/{ws}/jobs", status_code=202)
def submit_job(
    body: JobIn,
    request: Request,
    acc: WorkspaceAccess = Depends(require(Action.RUN_JOBS)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    runner = request.app.state.jobs
    job = runner.submit(db, acc.workspace, body.kind, body.params, acc.actor)
    services._audit(
        db, acc.actor, acc.workspace, "job.submit", "job", str(job.id), detail={"kind": body.kind}
    )
    db.commit()
    runner.dispatch(job.id, job.kind)
    return job_dict(job)


@router.get("/workspaces/{ws}/jobs/{job_id}")
def get_job(
    job_id: int, acc: WorkspaceAccess = Depends(require(Action.READ)), db: Session = Depends(get_db)
) -> dict[str, Any]:
    job = db.get(Job, job_id)
    if job is None or job.workspace_id != acc.workspace.id:
        raise HTTPException(404, "no such job")
    return job_dict(job)
