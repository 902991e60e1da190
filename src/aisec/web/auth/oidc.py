# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""OpenID Connect login (authorization code flow) for the team server; optional (joserfc, the
Authlib project's JOSE library that replaces `authlib.jose`).

The provider's ID token is verified (signature against its JWKS, issuer, audience, nonce,
expiry). Its `sub` must already be linked to an account (`aisec user add --oidc-subject`):
accounts are never created or matched by a name the provider lets people choose.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from aisec.store.models import User
from aisec.web.auth import get_db

router = APIRouter(tags=["account"])
PENDING_SECONDS = 600


class OidcState:
    """Discovery cache and pending logins (state -> nonce), kept in the server process."""

    def __init__(self, config: dict[str, str]) -> None:
        self.config = config
        self.pending: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()
        self._discovery: dict[str, Any] | None = None

    def discovery(self) -> dict[str, Any]:
        import httpx

        if self._discovery is None:
            issuer = self.config["issuer"].rstrip("/")
            url = f"{issuer}/.well-known/openid-configuration"
            data: dict[str, Any] = httpx.get(url, timeout=10).raise_for_status().json()
            if data.get("issuer", "").rstrip("/") != issuer:
                raise HTTPException(502, "OIDC discovery names another issuer")
            self._discovery = data
        return self._discovery

    def remember(self, state: str, nonce: str) -> None:
        now = time.monotonic()
        with self.lock:
            for key in [k for k, (_, t) in self.pending.items() if now - t > PENDING_SECONDS]:
                del self.pending[key]
            self.pending[state] = (nonce, now)

    def take(self, state: str) -> str | None:
        with self.lock:
            found = self.pending.pop(state, None)
        if found is None or time.monotonic() - found[1] > PENDING_SECONDS:
            return None
        return found[0]


def _state(request: Request) -> OidcState:
    oidc: OidcState | None = getattr(request.app.state, "oidc", None)
    if oidc is None:
        raise HTTPException(404, "OpenID Connect is not configured on this server")
    return oidc


def _redirect_uri(request: Request, oidc: OidcState) -> str:
    return oidc.config.get("redirect_uri") or str(request.url_for("oidc_callback"))


@router.get("/auth/oidc/login", status_code=302)
def oidc_login(request: Request) -> RedirectResponse:
    """Send the browser to the identity provider."""
    from urllib.parse import urlencode

    oidc = _state(request)
    meta = oidc.discovery()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    oidc.remember(state, nonce)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": oidc.config["client_id"],
            "redirect_uri": _redirect_uri(request, oidc),
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
        }
    )
    return RedirectResponse(f"{meta['authorization_endpoint']}?{query}", status_code=302)


# What an OpenID provider signs ID tokens with (RFC 7518 asymmetric algorithms and EdDSA).
ID_TOKEN_ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
]


@router.get("/auth/oidc/callback", name="oidc_callback", status_code=303)
def oidc_callback(
    request: Request, code: str = "", state: str = "", db: Session = Depends(get_db)
) -> Response:
    """Exchange the code, verify the ID token, open a session for the linked account."""
    import httpx
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet
    from joserfc.jwt import JWTClaimsRegistry

    from aisec.web.api.account import start_session

    oidc = _state(request)
    nonce = oidc.take(state) if state else None
    if nonce is None or not code:
        raise HTTPException(400, "unknown or expired login attempt; start again")
    meta = oidc.discovery()
    reply = httpx.post(
        meta["token_endpoint"],
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _redirect_uri(request, oidc),
            "client_id": oidc.config["client_id"],
            "client_secret": oidc.config.get("client_secret", ""),
        },
    )
    if reply.status_code != 200 or "id_token" not in reply.json():
        raise HTTPException(401, "the identity provider refused the code")
    keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=10).json())
    required = JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": oidc.config["client_id"]},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
    )
    try:
        # signed with the provider's published keys, asymmetric algorithms only (no HS256
        # "signed" with a public key); then issuer, audience, nonce, subject and expiry
        claims = jwt.decode(reply.json()["id_token"], keys, algorithms=ID_TOKEN_ALGORITHMS).claims
        required.validate(claims)
    except (JoseError, ValueError) as exc:
        raise HTTPException(401, f"ID token rejected: {exc}") from None
    user = db.scalar(select(User).where(User.oidc_subject == str(claims["sub"])))
    if user is None or user.disabled:
        raise HTTPException(
            403,
            "this identity is not linked to an aisec account; "
            "ask an administrator (aisec user add --oidc-subject)",
        )
    response = RedirectResponse("/", status_code=303)
    start_session(request, response, db, user, via="oidc")
    return response


def configure(app: Any, config: dict[str, str]) -> None:
    if config.get("issuer") and config.get("client_id"):
        app.state.oidc = OidcState(config)
