"""OpenID Connect login against a small OIDC provider this test runs on 127.0.0.1: discovery,
authorization code, token endpoint, JWKS, RS256 ID token with nonce."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx
import pytest
import uvicorn
from apiworld import build_world, free_port
from fastapi import FastAPI, Form
from fastapi.responses import RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

from aisec.store.db import write_session
from aisec.store.models import User

CLIENT_ID, SECRET = "aisec-test", "client-secret"


def _hs256(claims: dict[str, Any], secret: bytes) -> str:
    """The algorithm-confusion forgery: an HMAC over the token keyed with the provider's public
    key, which anyone can fetch (joserfc itself refuses to build one, hence by hand)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


class Provider:
    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = RSAKey.generate_key(2048, auto_kid=True)
        self.codes: dict[str, dict[str, str]] = {}
        self.subject = "subject-alice"
        self.tamper_nonce = False
        self.tamper = ""  # 'expired' or 'hs256': other ID tokens a client must refuse
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, str]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        def authorize(client_id: str, redirect_uri: str, state: str, nonce: str) -> Any:
            code = uuid.uuid4().hex
            self.codes[code] = {"nonce": nonce, "client_id": client_id}
            return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

        @app.post("/token")
        def token(
            code: str = Form(), client_id: str = Form(), client_secret: str = Form()
        ) -> dict[str, str]:
            grant = self.codes.pop(code)
            assert client_secret == SECRET and client_id == grant["client_id"]
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": client_id,
                "sub": self.subject,
                "nonce": "forged" if self.tamper_nonce else grant["nonce"],
                "iat": now,
                "exp": now - 60 if self.tamper == "expired" else now + 300,
            }
            header = {"alg": "RS256", "kid": self.key.kid}
            if self.tamper == "hs256":  # "signed" with the public key as an HMAC secret
                token = _hs256(claims, self.key.as_pem(private=False))
            else:
                token = jwt.encode(header, claims, self.key)
            return {
                "id_token": token,
                "access_token": "x",
                "token_type": "Bearer",
            }

        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider(free_port())
    thread = threading.Thread(target=p.server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if p.server.started:
            break
        time.sleep(0.05)
    yield p
    p.server.should_exit = True
    thread.join(5)


def _login(client: Any) -> httpx.Response:
    r = client.get("/api/v1/auth/oidc/login", follow_redirects=False)
    assert r.status_code == 302
    at_provider = httpx.get(r.headers["location"], follow_redirects=False)
    assert at_provider.status_code in (302, 307)
    back = urlparse(at_provider.headers["location"])
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_oidc_login_opens_a_session_for_the_linked_account(
    provider: Provider, tmp_path: Path
) -> None:
    world = build_world(
        f"sqlite:///{tmp_path / 'o.db'}",
        oidc={"issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": SECRET},
    )
    with world.client as c:
        # not linked yet: refused, no session
        r = _login(c)
        assert r.status_code == 403 and "not linked" in r.text
        with write_session(c.app.state.sessionmaker) as s:  # type: ignore[attr-defined]
            s.query(User).filter_by(username="auditor").one().oidc_subject = provider.subject
        r = _login(c)
        assert r.status_code == 303, r.text
        assert "httponly" in r.headers["set-cookie"].lower()
        me = c.get("/api/v1/me").json()
        assert me["username"] == "auditor" and me["via"] == "session:oidc"
        # a replayed or unknown state is refused
        assert (
            c.get(
                "/api/v1/auth/oidc/callback",
                params={"code": "x", "state": "nope"},
                follow_redirects=False,
            ).status_code
            == 400
        )
        # an ID token with the wrong nonce is rejected
        provider.tamper_nonce = True
        c.cookies.clear()
        r = _login(c)
        assert r.status_code == 401 and "nonce" in r.text.lower()
        assert c.get("/api/v1/me").status_code == 401
        provider.tamper_nonce = False
        for tamper, why in (("expired", "expired"), ("hs256", "algorithm")):
            provider.tamper = tamper
            r = _login(c)
            assert r.status_code == 401 and why in r.text.lower(), (tamper, r.text)
            assert c.get("/api/v1/me").status_code == 401


def test_oidc_routes_answer_404_when_not_configured(tmp_path: Path) -> None:
    world = build_world(f"sqlite:///{tmp_path / 'n.db'}")
    with world.client as c:
        assert c.get("/api/v1/auth/oidc/login", follow_redirects=False).status_code == 404
