"""Helpers of the API tests: an app with one user per role, and a live `aisec serve` process."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from fastapi.testclient import TestClient

from aisec.service import bundled_examples
from aisec.store import accounts, pool, services
from aisec.store.access import CLI_ACTOR, Role
from aisec.store.assessing import Summary, summarise_text
from aisec.store.db import write_session
from aisec.store.models import ApiToken
from aisec.web.app import Settings, create_app

PASSWORD = "a long enough test password"
EXAMPLES = {sid: (s, a) for sid, s, a in bundled_examples()}
SYSTEM = "rag-assistant"
OTHER = "fraud-classifier"


def example(sid: str = SYSTEM) -> tuple[str, str | None]:
    system, assessment = EXAMPLES[sid]
    return system.read_text(), assessment.read_text() if assessment else None


@dataclass
class World:
    client: TestClient
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}


# identity -> (workspace role in 'acme' or None, granted role)
IDENTITIES: dict[str, tuple[Role | None, str | None]] = {
    "siteadmin": (None, None),
    "wsadmin": (Role.ADMIN, None),
    "assessor": (Role.ASSESSOR, None),
    "riskowner": (Role.RISK_OWNER, None),
    "vendor": (Role.CONTRIBUTOR, "vendor"),
    "auditor": (Role.AUDITOR, None),
    "outsider": (None, None),  # admin of workspace 'other' only
}


_HASH: list[str] = []
_OUTCOMES: dict[tuple[str, str | None], Summary] = {}


def _cached_run(system_text: str, assessment_text: str | None, *args: Any, **kw: Any) -> Summary:
    """Seeding runs the same three analyses in every test: compute them once per session."""
    key = (system_text, assessment_text)
    if args or kw or key not in _OUTCOMES:
        out = summarise_text(system_text, assessment_text, *args, **kw)
        if args or kw:
            return out
        _OUTCOMES[key] = out
    return _OUTCOMES[key]


def build_world(url: str, **settings: Any) -> World:
    app = create_app(Settings(database_url=url, pages=False, **settings))
    factory = app.state.sessionmaker
    tokens: dict[str, str] = {}
    if not _HASH:  # argon2id costs ~0.5 s per hash on a busy 2-core machine: hash once
        _HASH.append(accounts.hash_password(PASSWORD))
    with write_session(factory) as s, mock.patch.object(pool, "summarise", _cached_run):
        users = {
            name: accounts.add_user(s, name, None, admin=name == "siteadmin") for name in IDENTITIES
        }
        for user in users.values():
            user.password_hash = _HASH[0]
        acme = services.create_workspace(s, CLI_ACTOR, "acme", "Acme")
        other = services.create_workspace(s, CLI_ACTOR, "other", "Other")
        for name, (role, granted) in IDENTITIES.items():
            if role is not None:
                services.set_member(s, CLI_ACTOR, acme, name, role, granted)
        services.set_member(s, CLI_ACTOR, other, "outsider", Role.ADMIN, None)
        for sid in (SYSTEM, OTHER):
            text, assessment = example(sid)
            services.create_system(s, CLI_ACTOR, acme, text, "seed", assessment)
        text, assessment = example(SYSTEM)
        services.create_system(s, CLI_ACTOR, other, text, "seed", assessment)
        rag = services.get_system(s, acme, SYSTEM)
        services.share_system(s, CLI_ACTOR, acme, rag, "vendor")
        for name, user in users.items():
            tokens[name] = accounts.create_token(
                s, user, "all", ["read", "write", "evidence"], 30
            ).secret
        tokens["readonly"] = accounts.create_token(s, users["assessor"], "ro", ["read"]).secret
        tokens["evidence"] = accounts.create_token(s, users["assessor"], "ci", ["evidence"]).secret
        expired = accounts.create_token(s, users["siteadmin"], "old", ["read", "write"], 1)
        s.get(ApiToken, expired.id).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(  # type: ignore[union-attr]
            minutes=1
        )
        tokens["expired"] = expired.secret
    return World(TestClient(app), url, tokens)


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = build_world(db_url)
    with w.client:
        yield w


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Live:
    base: str
    url: str
    proc: subprocess.Popen[bytes]
    cwd: Path

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def cli(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aisec", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def start_live(url: str | None, cwd: Path, *extra: str) -> Live:
    """`aisec serve` in a subprocess on a free port (url None: the default aisec.db in cwd)."""
    port = free_port()
    db = ["--db", url] if url else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisec", "serve", *db, "--port", str(port), *extra],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode() if proc.stdout else "server died")
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return Live(base, url or "", proc, cwd)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")
