# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""Administration: members and roles, sharing a system with a vendor, API tokens, and the audit
log with its verification status. Every destructive action asks for confirmation on its own page
(a stable URL, no script needed) before the POST that does it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from aisec.common.errors import InputError
from aisec.store import accounts, audit, services
from aisec.store.access import Action, Role
from aisec.store.models import ApiToken, AuditEntry, Membership, SystemShare, User
from aisec.web.auth import WorkspaceAccess, get_db, require
from aisec.web.pages.common import (
    base_context,
    first,
    form_lists,
    int_or_none,
    posted_form,
    see_other,
)
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.render import render_page
from aisec.web.pages.system_pages import load_system, system_view

router = APIRouter(include_in_schema=False, route_class=PageRoute)
AUDIT_PAGE = 100


def _members(db: Session, access: WorkspaceAccess) -> list[tuple[User, Membership]]:
    stmt = (
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == access.workspace.id)
        .order_by(User.username)
    )
    return [(u, m) for u, m in db.execute(stmt).all()]


def _admin_page(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    *,
    secret: str | None = None,
    problem: str = "",
    status: int = 200,
) -> Response:
    tokens = db.scalars(
        select(ApiToken).where(ApiToken.user_id == access.principal.user.id).order_by(ApiToken.id)
    ).all()
    return render_page(
        "pages/admin.html.j2",
        status_code=status,
        **base_context(request, access, "admin"),
        members=_members(db, access),
        roles=[r.value for r in Role],
        tokens=tokens,
        secret=secret,
        problem=problem,
    )


@router.get("/w/{ws}/admin")
def admin_page(
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    return _admin_page(request, access, db)


@router.post("/w/{ws}/admin/members")
def set_member(
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    values = form_lists(form)
    role = first(values, "role")
    if role not in {r.value for r in Role}:
        return _admin_page(request, access, db, problem=f"unknown role {role!r}", status=422)
    try:
        services.set_member(
            db,
            access.actor,
            access.workspace,
            first(values, "username"),
            Role(role),
            first(values, "granted") or None,
        )
        db.commit()
    except InputError as exc:
        db.rollback()
        return _admin_page(request, access, db, problem=str(exc), status=422)
    return see_other(f"/w/{access.workspace.slug}/admin", "Member saved.")


def _confirm(
    request: Request, access: WorkspaceAccess, question: str, action: str, back: str, label: str
) -> Response:
    return render_page(
        "pages/confirm.html.j2",
        **base_context(request, access, "admin"),
        question=question,
        action=action,
        back=back,
        label=label,
    )


@router.get("/w/{ws}/admin/members/{username}/remove")
def confirm_remove(
    username: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
) -> Response:
    ws = access.workspace.slug
    return _confirm(
        request,
        access,
        f"Remove {username} from workspace {access.workspace.name}? They lose access at once.",
        f"/w/{ws}/admin/members/{username}/remove",
        f"/w/{ws}/admin",
        "Remove member",
    )


@router.post("/w/{ws}/admin/members/{username}/remove")
def remove_member(
    username: str,
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    services.remove_member(db, access.actor, access.workspace, username)
    db.commit()
    return see_other(f"/w/{access.workspace.slug}/admin", f"{username} removed.")


@router.post("/w/{ws}/admin/tokens")
def create_token(
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    values = form_lists(form)
    days = first(values, "days", "90")
    try:
        new = accounts.create_token(
            db,
            access.principal.user,
            first(values, "name") or "token",
            [s for s in values.get("scopes", []) if s],
            int(days) if days.isdigit() else 90,
            access.actor.via,
        )
        db.commit()
    except InputError as exc:
        db.rollback()
        return _admin_page(request, access, db, problem=str(exc), status=422)
    return _admin_page(request, access, db, secret=new.secret)


@router.get("/w/{ws}/admin/tokens/{token_id}/revoke")
def confirm_revoke(
    token_id: int, request: Request, access: WorkspaceAccess = Depends(require(Action.READ))
) -> Response:
    ws = access.workspace.slug
    return _confirm(
        request,
        access,
        f"Revoke token {token_id}? Pipelines using it stop working at once.",
        f"/w/{ws}/admin/tokens/{token_id}/revoke",
        f"/w/{ws}/admin",
        "Revoke token",
    )


@router.post("/w/{ws}/admin/tokens/{token_id}/revoke")
def revoke_token(
    token_id: int,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    if not accounts.revoke_token(db, access.principal.user, token_id, access.actor.via):
        raise HTTPException(404, "no such active token")
    db.commit()
    return see_other(f"/w/{access.workspace.slug}/admin", f"Token {token_id} revoked.")


@router.get("/w/{ws}/systems/{slug}/sharing")
def sharing_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    shared = db.scalars(
        select(User.username)
        .join(SystemShare, SystemShare.user_id == User.id)
        .where(SystemShare.system_id == system.id)
        .order_by(User.username)
    ).all()
    contributors = [(u, m) for u, m in _members(db, access) if m.role == Role.CONTRIBUTOR.value]
    return render_page(
        "pages/sharing.html.j2",
        **base_context(request, access, "admin"),
        sys=system_view(system),
        tab="sharing",
        shared=shared,
        contributors=contributors,
    )


@router.post("/w/{ws}/systems/{slug}/sharing")
def share(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    values = form_lists(form)
    system = load_system(db, access, slug)
    services.share_system(db, access.actor, access.workspace, system, first(values, "username"))
    db.commit()
    return see_other(f"/w/{access.workspace.slug}/systems/{slug}/sharing", "Shared.")


@router.get("/w/{ws}/systems/{slug}/sharing/{username}/end")
def confirm_unshare(
    slug: str,
    username: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    base = f"/w/{access.workspace.slug}/systems/{slug}/sharing"
    return _confirm(
        request,
        access,
        f"End sharing {system.name} with {username}? They stop seeing this system, its "
        "evidence and its assessment at once; what they uploaded stays in the history.",
        f"{base}/{username}/end",
        base,
        "End share",
    )


@router.post("/w/{ws}/systems/{slug}/sharing/{username}/end")
def unshare(
    slug: str,
    username: str,
    access: WorkspaceAccess = Depends(require(Action.MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    services.unshare_system(db, access.actor, access.workspace, system, username)
    db.commit()
    return see_other(
        f"/w/{access.workspace.slug}/systems/{slug}/sharing", f"No longer shared with {username}."
    )


def _audit_rows(db: Session, ws: str, before: int | None) -> list[dict[str, Any]]:
    stmt = select(AuditEntry).where(AuditEntry.workspace == ws)
    if before is not None:
        stmt = stmt.where(AuditEntry.seq < before)
    rows = []
    for entry in db.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(AUDIT_PAGE)):
        row = audit.as_dict(entry)
        try:
            detail = json.loads(entry.detail or "{}")
        except ValueError:
            detail = {}
        row["detail_text"] = ", ".join(f"{k}: {v}" for k, v in detail.items()) if detail else ""
        rows.append(row)
    return rows


@router.get("/w/{ws}/audit")
def audit_page(
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ_AUDIT)),
    db: Session = Depends(get_db),
) -> Response:
    before = int_or_none(request.query_params.get("before"))
    rows = _audit_rows(db, access.workspace.slug, before)
    return render_page(
        "pages/audit.html.j2",
        **base_context(request, access, "admin"),
        rows=rows,
        verified=audit.verify(db),
        older=rows[-1]["seq"] if len(rows) == AUDIT_PAGE else None,
    )
