"""Every API route x every identity -> the expected status.

The test enumerates the app's routes: a route missing from RULES fails the test, so no endpoint
is left out. Identities: anonymous, an expired token, each workspace role, a site admin, a user of
another workspace, and a member asking for the other workspace's objects.
"""

from __future__ import annotations

import itertools
from typing import Any

from apiworld import IDENTITIES, SYSTEM, World, example
from fastapi.routing import APIRoute
from test_flow import evidence_bytes

from aisec.catalog import default_catalog
from aisec.store.access import Action, Role, allowed
from aisec.store.db import write_session
from aisec.store.services import get_system, get_workspace, set_member, share_system

PUBLIC, AUTH, SITE = "public", "auth", "site-admin"
RULES: dict[tuple[str, str], Any] = {
    ("GET", "/api/health"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): AUTH,
    ("GET", "/api/v1/auth/oidc/login"): PUBLIC,
    ("GET", "/api/v1/auth/oidc/callback"): PUBLIC,
    ("GET", "/api/v1/me"): AUTH,
    ("GET", "/api/v1/tokens"): AUTH,
    ("POST", "/api/v1/tokens"): AUTH,
    ("DELETE", "/api/v1/tokens/{token_id}"): AUTH,
    ("GET", "/api/v1/audit/verify"): SITE,
    ("GET", "/api/v1/audit/export"): SITE,
    ("GET", "/api/v1/workspaces"): AUTH,
    ("POST", "/api/v1/workspaces"): SITE,
    ("GET", "/api/v1/workspaces/{ws}"): Action.READ,
    ("PUT", "/api/v1/workspaces/{ws}/members/{username}"): Action.MANAGE,
    ("DELETE", "/api/v1/workspaces/{ws}/members/{username}"): Action.MANAGE,
    ("POST", "/api/v1/workspaces/{ws}/systems/{system_id}/shares"): Action.MANAGE,
    ("DELETE", "/api/v1/workspaces/{ws}/systems/{system_id}/shares/{username}"): Action.MANAGE,
    ("GET", "/api/v1/workspaces/{ws}/systems"): Action.READ,
    ("POST", "/api/v1/workspaces/{ws}/systems"): Action.EDIT_SYSTEM,
    ("GET", "/api/v1/workspaces/{ws}/trend"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/audit"): Action.READ_AUDIT,
    ("POST", "/api/v1/workspaces/{ws}/jobs"): Action.RUN_JOBS,
    ("GET", "/api/v1/workspaces/{ws}/jobs/{job_id}"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}"): Action.READ,
    ("PUT", "/api/v1/workspaces/{ws}/systems/{system_id}"): Action.EDIT_SYSTEM,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/threats"): Action.READ,
    ("PUT", "/api/v1/workspaces/{ws}/systems/{system_id}/assessment"): Action.EDIT_ASSESSMENT,
    ("POST", "/api/v1/workspaces/{ws}/systems/{system_id}/assess"): Action.EDIT_ASSESSMENT,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/revisions"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/assessments/{number}"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/systems/{number}"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/report"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/crosswalks"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/diff"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/trend"): Action.READ,
    ("POST", "/api/v1/workspaces/{ws}/systems/{system_id}/decisions"): Action.DECIDE,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/decisions"): Action.READ,
    ("POST", "/api/v1/workspaces/{ws}/systems/{system_id}/evidence"): Action.UPLOAD_EVIDENCE,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/evidence"): Action.READ,
    ("GET", "/api/v1/workspaces/{ws}/systems/{system_id}/evidence/{evidence_id}"): Action.READ,
}
ANONYMOUS, EXPIRED, WRONG_WS = "anonymous", "expired", "wrong-workspace"
WHO = [ANONYMOUS, EXPIRED, *IDENTITIES, WRONG_WS]
_counter = itertools.count(1)


def _request(world: World, method: str, path: str, who: str) -> Any:
    c = world.client
    text, assessment = example(SYSTEM)
    ws = "other" if who == WRONG_WS else "acme"
    token = "assessor" if who == WRONG_WS else who
    headers = world.as_(token)
    params: dict[str, Any] = {}
    kw: dict[str, Any] = {}
    n = next(_counter)
    values = {
        "ws": ws,
        "system_id": SYSTEM,
        "number": "1",
        "evidence_id": "1",
        "job_id": "1",
        "username": "auditor",
        "token_id": "999999",
    }
    if path.endswith("/members/{username}") and method == "DELETE":
        values["username"] = "spare"
        with write_session(world.client.app.state.sessionmaker) as s:  # type: ignore[attr-defined]
            set_member(s, _cli(), get_workspace(s, "acme"), "spare", Role.AUDITOR, None)
    if path.endswith("/shares/{username}"):  # a share to end (with a user nobody else uses)
        values["username"] = "spare"
        with write_session(world.client.app.state.sessionmaker) as s:  # type: ignore[attr-defined]
            acme = get_workspace(s, "acme")
            share_system(s, _cli(), acme, get_system(s, acme, SYSTEM), "spare")
    url = path.format(**values)
    body: dict[str, Any] | None = None
    if path.endswith("/members/{username}") and method == "PUT":
        body = {"role": "auditor"}
    elif path.endswith("/shares"):
        body = {"username": "vendor"}
    elif path == "/api/v1/workspaces/{ws}/systems" and method == "POST":
        body = {"yaml": text.replace("id: rag-assistant", f"id: rag-{n}", 1)}
    elif path.endswith("/systems/{system_id}") and method == "PUT":
        body = {"yaml": text}
    elif path.endswith("/assessment"):
        body = {"yaml": assessment}
    elif path.endswith("/assess"):
        body = {}
    elif path.endswith("/decisions") and method == "POST":
        threat = sorted(default_catalog().threats)[0]  # assigned to the risk owner, who may
        body = {"threat": threat, "treatment": "mitigate", "risk_owner": "riskowner"}
    elif path.endswith("/jobs"):
        body = {"kind": "reassess"}
    elif path == "/api/v1/workspaces" and method == "POST":
        body = {"slug": f"ws-{n}"}
    elif path == "/api/v1/tokens" and method == "POST":
        body = {"name": "m", "scopes": ["read"]}
    elif path == "/api/v1/auth/login":
        body = {"username": "nobody", "password": "x"}
    elif path.endswith("/diff"):
        params = {"from": 1, "to": 1}
    if path.endswith("/evidence") and method == "POST":
        kw["files"] = {"file": ("e.json", evidence_bytes())}
    elif body is not None:
        kw["json"] = body
    return c.request(method, url, headers=headers, params=params, **kw)


def _cli() -> Any:
    from aisec.store.access import CLI_ACTOR

    return CLI_ACTOR


def _expected(rule: Any, who: str) -> set[int] | str:
    """A set of exact statuses, or 'ok' (any 2xx)."""
    if rule == PUBLIC:
        return "public"
    if who in (ANONYMOUS, EXPIRED):
        return {401}
    if rule == AUTH:
        return "ok"
    if rule == SITE:
        return "ok" if who == "siteadmin" else {403}
    if who == "siteadmin":
        return "ok"
    if who in ("outsider", WRONG_WS):
        return {404}
    role, _ = IDENTITIES[who]
    assert role is not None
    return "ok" if allowed(role, rule) else {403}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every HTTP route, including those of included routers."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.update((m, route.path) for m in route.methods)
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts() if callable(contexts) else contexts:
                found.update((m, ctx.path) for m in ctx.methods or ())
    return {(m, p) for m, p in found if m != "HEAD"}


def test_every_route_for_every_identity(world: World) -> None:
    routes = {r for r in app_routes(world.client.app) if r[1].startswith("/api")}
    assert routes == set(RULES), (
        f"routes without a rule: {routes - set(RULES)}; "
        f"rules without a route: {set(RULES) - routes}"
    )
    with write_session(world.client.app.state.sessionmaker) as s:  # type: ignore[attr-defined]
        from aisec.store.accounts import add_user

        add_user(s, "spare", None)
    failures = []
    for (method, path), rule in sorted(RULES.items(), key=lambda x: (x[0][1], x[0][0])):
        for who in WHO:
            if rule == PUBLIC and who != ANONYMOUS:
                continue
            status = _request(world, method, path, who).status_code
            want = _expected(rule, who)
            if want == "public":
                good = status < 500 and status != 403
            elif want == "ok":
                good = 200 <= status < 300 or (
                    path.endswith("/tokens/{token_id}") and status == 404
                )
            else:
                assert isinstance(want, set)
                good = status in want
            if not good:
                failures.append(f"{method} {path} as {who}: {status}, expected {want}")
    assert not failures, "\n".join(failures)
