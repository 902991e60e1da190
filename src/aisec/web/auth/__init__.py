# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""Authentication and authorisation dependencies shared by the REST API and the web pages.

- `get_db`: one SQLAlchemy session per request (rolled back unless the route commits).
- `current_principal` / `optional_principal`: the user from a Bearer API token or the session
  cookie; expired, revoked or unknown credentials are 401.
- `require(action)`: a dependency for routes under `/workspaces/{ws}`: membership (else 404, so
  another workspace's objects are indistinguishable from none), role and token scope (403), the
  CSRF token for cookie-authenticated writes (403), and the global write lock for writes.
- `check_csrf(request, principal, token)`: for page handlers that read the token from a form.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from aisec.store import accounts
from aisec.store.access import Action, Actor, Forbidden, Role, allowed, scope_for
from aisec.store.db import lock_writes
from aisec.store.models import Membership, User, Workspace
from aisec.store.services import membership

SESSION_COOKIE = "aisec_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request and how they authenticated."""

    user: User
    actor: Actor
    csrf_token: str | None = None  # set for cookie sessions only

    @property
    def via_cookie(self) -> bool:
        return self.csrf_token is not None


@dataclass(frozen=True)
class WorkspaceAccess:
    principal: Principal
    workspace: Workspace
    member: Membership | None
    role: Role

    @property
    def actor(self) -> Actor:
        return self.principal.actor


def get_db(request: Request) -> Iterator[Session]:
    factory = request.app.state.sessionmaker
    with factory() as session:
        yield session


def _authenticate(request: Request, db: Session) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HTTPException(401, "expected 'Authorization: Bearer <token>'")
        found = accounts.token_user(db, secret.strip())
        if found is None:
            raise HTTPException(401, "invalid, expired or revoked token")
        user, token = found
        actor = Actor(
            user.id,
            user.username,
            user.display_name,
            f"token:{token.id}",
            frozenset(token.scopes.split()),
            user.is_admin,
        )
        return Principal(user, actor)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session_found = accounts.session_user(db, cookie)
        if session_found is None:
            return None
        user, row = session_found
        actor = Actor(
            user.id, user.username, user.display_name, f"session:{row.via}", None, user.is_admin
        )
        return Principal(user, actor, row.csrf_token)
    return None


def optional_principal(request: Request, db: Session = Depends(get_db)) -> Principal | None:
    return _authenticate(request, db)


def current_principal(request: Request, db: Session = Depends(get_db)) -> Principal:
    principal = _authenticate(request, db)
    if principal is None:
        raise HTTPException(401, "authentication required", headers={"WWW-Authenticate": "Bearer"})
    return principal


def check_csrf(request: Request, principal: Principal, token: str | None) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (header or form field)."""
    if request.method in SAFE_METHODS or not principal.via_cookie:
        return
    expected = principal.csrf_token or ""
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(403, "missing or wrong CSRF token")


async def csrf_from_request(request: Request) -> str | None:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached by Starlette: the handler can read it again
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries (header or form field); no database work here, so the
    event loop never blocks: dependencies that touch the database are sync (thread pool)."""
    return await csrf_from_request(request)


def require_site_admin(
    request: Request, principal: Principal = Depends(current_principal)
) -> Principal:
    if not principal.user.is_admin:
        raise HTTPException(403, "site administrators only")
    return principal


def require(action: Action, lock: bool = True) -> Callable[..., WorkspaceAccess]:
    """Dependency for `/workspaces/{ws}/...` routes needing `action`. `lock=False`: the route's
    service takes the write lock itself after its analysis (`services._lock_heads`)."""

    def dependency(
        ws: str,
        request: Request,
        principal: Principal = Depends(current_principal),
        db: Session = Depends(get_db),
        csrf: str | None = Depends(csrf_token),
    ) -> WorkspaceAccess:
        workspace, member = membership(db, principal.user, ws)
        role = Role(member.role) if member is not None else Role.ADMIN
        if principal.user.is_admin:
            role = Role.ADMIN
        if not allowed(role, action):
            raise HTTPException(403, f"the {role.value} role may not {action.value}")
        if not principal.actor.has_scope(scope_for(action)):
            raise HTTPException(403, f"this token lacks the '{scope_for(action)}' scope")
        if request.method not in SAFE_METHODS:
            check_csrf(request, principal, csrf)
            if lock:
                lock_writes(db)
        return WorkspaceAccess(principal, workspace, member, role)

    return dependency


def forbid_unless(condition: bool, message: str) -> None:
    if not condition:
        raise Forbidden(message)


def as_dict(access: WorkspaceAccess) -> dict[str, Any]:
    return {
        "workspace": access.workspace.slug,
        "role": access.role.value,
        "granted_role": access.member.granted_role if access.member else None,
    }
