"""What every page handler shares: the signed-in user's context, redirects, forms, errors.

Pages authorise through the API's own dependencies (`aisec.web.auth.require`), so a page and
its REST endpoint can never disagree about who may do what. This module only adds what a
browser needs on top: the base template context, post/redirect/get, and HTML error pages.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from aisec import __version__
from aisec.store.access import Action, Role, allowed
from aisec.store.models import System, User
from aisec.web.auth import WorkspaceAccess
from aisec.web.pages.render import render_page, secure

MAX_FORM_FIELDS = 4000


def base_context(request: Request, access: WorkspaceAccess, nav: str = "") -> dict[str, Any]:
    """Names the base template uses: who is signed in, where, and what they may do."""
    role = access.role
    granted = access.member.granted_role if access.member else None
    return {
        "request": request,
        "user": access.principal.user,
        "ws": access.workspace,
        "role": role.value + (f" ({granted})" if granted else ""),
        "granted": granted if role is Role.CONTRIBUTOR else None,
        "csrf": access.principal.csrf_token or "",
        "nav": nav,
        "flash": request.query_params.get("done", "")[:200],
        "version": __version__,
        "can_write": allowed(role, Action.EDIT_SYSTEM),
        "can_assess": allowed(role, Action.EDIT_ASSESSMENT),
        "can_decide": allowed(role, Action.DECIDE),
        "can_upload": allowed(role, Action.UPLOAD_EVIDENCE),
        "can_audit": allowed(role, Action.READ_AUDIT),
        "is_admin": allowed(role, Action.MANAGE),
        "can_write_system": allowed(role, Action.EDIT_SYSTEM),
    }


def outside_workspace_context(user: User | None = None, csrf: str = "") -> dict[str, Any]:
    """Names the base template needs on a page outside any workspace (sign-in, the workspace
    list, error pages): no workspace, no role, nothing to write."""
    return {
        "user": user,
        "ws": None,
        "flash": None,
        "version": __version__,
        "nav": "",
        "role": "",
        "csrf": csrf,
        "can_write": False,
    }


async def posted_form(request: Request) -> FormData:
    """The submitted form, parsed on the event loop; handlers stay sync (their database work
    runs in the thread pool, never on the loop)."""
    return await request.form()


def see_other(url: str, done: str = "") -> Response:
    """Post/redirect/get: after a write the browser lands on a page it can reload safely."""
    if done:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"done": done})
    return secure(RedirectResponse(url, status_code=303))


def form_lists(form: FormData) -> dict[str, list[str]]:
    """A submitted form as name -> values (text fields only), bounded in size."""
    out: dict[str, list[str]] = {}
    for count, (name, value) in enumerate(form.multi_items()):
        if count >= MAX_FORM_FIELDS:
            break
        if isinstance(value, str):
            out.setdefault(name, []).append(value)
    return out


def first(form: Mapping[str, list[str]], name: str, default: str = "") -> str:
    values = form.get(name)
    return values[0].strip() if values else default


def upload_of(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) else None


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def system_base(ws_slug: str, system: System) -> str:
    return f"/w/{ws_slug}/systems/{system.slug}"


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {401: "Sign in required", 403: "Not allowed", 404: "Not found", 409: "Conflict"}
    return render_page(
        "pages/error.html.j2",
        status_code=status,
        title=titles.get(status, "Something went wrong"),
        message=message,
        status=status,
        **outside_workspace_context(),
    )


def db_of(request: Request) -> Session:
    """A session for handlers that run outside a route dependency (error pages, login)."""
    factory = request.app.state.sessionmaker
    session: Session = factory()
    return session
