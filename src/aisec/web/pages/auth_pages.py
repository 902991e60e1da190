# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""Sign in, sign out, the workspace list, and the static assets of the pages.

The sign-in form is protected against login CSRF by a double-submit cookie (a random value in a
cookie and in the form must match), and goes through the same throttled password check and
session start as the REST login.
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from aisec.store import accounts
from aisec.store.services import workspaces_of
from aisec.web.api.account import cookie_secure, password_login
from aisec.web.auth import (
    SESSION_COOKIE,
    Principal,
    check_csrf,
    current_principal,
    get_db,
    optional_principal,
)
from aisec.web.pages.common import (
    first,
    form_lists,
    outside_workspace_context,
    posted_form,
    see_other,
)
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.render import render_page, report_css, secure, static_file

router = APIRouter(include_in_schema=False, route_class=PageRoute)
LOGIN_CSRF_COOKIE = "aisec_login_csrf"


def safe_next(target: str) -> str:
    """Only same-site paths: never an absolute URL, '//host' or a 'javascript:' target."""
    parsed = urllib.parse.urlsplit(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render_page(
        "pages/login.html.j2",
        status_code=status,
        token=token,
        next=safe_next(request.query_params.get("next", "/")),
        error=error,
        **outside_workspace_context(),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=cookie_secure(request),
        samesite="strict",
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login_submit(
    request: Request, form: FormData = Depends(posted_form), db: Session = Depends(get_db)
) -> Response:
    values = form_lists(form)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    given = first(values, "csrf_token")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _login_page(request, "The form expired; please sign in again.", 403)
    target = safe_next(first(values, "next", "/"))
    response = see_other(target)
    try:
        password_login(request, response, db, first(values, "username"), first(values, "password"))
    except HTTPException as exc:
        return _login_page(request, str(exc.detail), exc.status_code)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    form: FormData = Depends(posted_form),
    principal: Principal = Depends(current_principal),
    db: Session = Depends(get_db),
) -> Response:
    values = form_lists(form)
    check_csrf(request, principal, first(values, "csrf_token"))
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.close_session(db, cookie)
        db.commit()
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(
    request: Request,
    principal: Principal | None = Depends(optional_principal),
    db: Session = Depends(get_db),
) -> Response:
    if principal is None:
        return see_other("/login")
    spaces = workspaces_of(db, principal.user)
    if len(spaces) == 1:
        return see_other(f"/w/{spaces[0][0].slug}/")
    return render_page(
        "pages/home.html.j2",
        spaces=spaces,
        **outside_workspace_context(principal.user, principal.csrf_token or ""),
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    found = static_file("favicon.svg")
    assert found is not None
    return _static(*found)


@router.get("/static/report.css")
def static_report_css() -> Response:
    return _static(report_css().encode("utf-8"), "text/css; charset=utf-8")


@router.get("/static/{name}")
def static_asset(name: str) -> Response:
    found = static_file(name)
    if found is None:
        raise HTTPException(404, "no such file")
    return _static(*found)


def _static(body: bytes, media_type: str) -> Response:
    response = Response(body, media_type=media_type)
    secure(response)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
