# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""Login, logout, the current user, and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from aisec.store import accounts, audit
from aisec.store.models import ApiToken, User
from aisec.store.services import workspaces_of
from aisec.web.api.schemas import LoginIn, LoginOut, MeOut, TokenIn, TokenOut
from aisec.web.auth import (
    SESSION_COOKIE,
    Principal,
    check_csrf,
    csrf_token,
    current_principal,
    get_db,
)

router = APIRouter(tags=["account"])


def cookie_secure(request: Request) -> bool:
    settings = request.app.state.settings
    if settings.secure_cookies is not None:
        return bool(settings.secure_cookies)
    if settings.trust_proxy and request.headers.get("x-forwarded-proto", "") == "https":
        return True
    return request.url.scheme == "https"


def start_session(
    request: Request, response: Response, db: Session, user: User, via: str = "password"
) -> accounts.NewSession:
    """Open a server-side session and set its cookie (shared by password and OIDC login)."""
    from aisec.store.db import lock_writes

    lock_writes(db)
    new = accounts.open_session(db, user, via)
    db.commit()
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        secure=cookie_secure(request),
        samesite="lax",
        path="/",
    )
    return new


def password_login(
    request: Request, response: Response, db: Session, username: str, password: str
) -> accounts.NewSession:
    """Check a password with throttling per user and per client address."""
    throttle = request.app.state.throttle
    keys = (f"user:{username.lower()}", f"ip:{request.client.host if request.client else '-'}")
    wait = throttle.blocked(db, *keys)
    if wait:
        raise HTTPException(
            429,
            "too many failed logins; try again later",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    user = accounts.find_user(db, username)
    if user is None:
        accounts.burn_time(password)
    if user is None or user.disabled or not accounts.check_password(user, password):
        throttle.failed(db, *keys)
        db.commit()  # the failure counts even though this request ends in an error
        raise HTTPException(401, "wrong username or password")
    throttle.succeeded(db, keys[0])
    return start_session(request, response, db, user)


@router.post("/auth/login", response_model=LoginOut)
def login(
    body: LoginIn, request: Request, response: Response, db: Session = Depends(get_db)
) -> LoginOut:
    new = password_login(request, response, db, body.username, body.password)
    return LoginOut(username=body.username, csrf_token=new.csrf, expires_at=new.expires_at)


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    principal: Principal = Depends(current_principal),
    db: Session = Depends(get_db),
    csrf: str | None = Depends(csrf_token),
) -> Response:
    check_csrf(request, principal, csrf)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and principal.via_cookie:
        accounts.close_session(db, cookie)
        db.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut)
def me(principal: Principal = Depends(current_principal), db: Session = Depends(get_db)) -> MeOut:
    return MeOut(
        username=principal.user.username,
        display_name=principal.user.display_name,
        site_admin=principal.user.is_admin,
        via=principal.actor.via,
        csrf_token=principal.csrf_token,
        workspaces=[
            {"slug": w.slug, "name": w.name, "role": r}
            for w, r in workspaces_of(db, principal.user)
        ],
    )


def _token_out(row: ApiToken, secret: str | None = None) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        scopes=row.scopes.split(),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked=row.revoked_at is not None,
        secret=secret,
    )


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    principal: Principal = Depends(current_principal), db: Session = Depends(get_db)
) -> list[TokenOut]:
    rows = db.scalars(
        select(ApiToken).where(ApiToken.user_id == principal.user.id).order_by(ApiToken.id)
    )
    return [_token_out(r) for r in rows]


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(
    body: TokenIn,
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = Depends(get_db),
    csrf: str | None = Depends(csrf_token),
) -> TokenOut:
    check_csrf(request, principal, csrf)
    if not principal.actor.has_scope("write"):
        raise HTTPException(403, "this token lacks the 'write' scope")
    from aisec.store.db import lock_writes

    lock_writes(db)
    new = accounts.create_token(
        db, principal.user, body.name, list(body.scopes), body.days, principal.actor.via
    )
    db.commit()
    row = db.get(ApiToken, new.id)
    assert row is not None
    return _token_out(row, new.secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: int,
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = Depends(get_db),
    csrf: str | None = Depends(csrf_token),
) -> Response:
    check_csrf(request, principal, csrf)
    if not principal.actor.has_scope("write"):
        raise HTTPException(403, "this token lacks the 'write' scope")
    from aisec.store.db import lock_writes

    lock_writes(db)
    if not accounts.revoke_token(db, principal.user, token_id, principal.actor.via):
        raise HTTPException(404, "no such active token")
    db.commit()
    return Response(status_code=204)


@router.get("/audit/verify")
def verify_audit(
    principal: Principal = Depends(current_principal), db: Session = Depends(get_db)
) -> dict[str, object]:
    """Site administrators: check the whole chain (the CLI does the same offline)."""
    if not principal.user.is_admin:
        raise HTTPException(403, "site administrators only")
    result = audit.verify(db)
    return {
        "ok": result.ok,
        "rows": result.rows,
        "broken_seq": result.broken_seq,
        "problem": result.problem,
    }
