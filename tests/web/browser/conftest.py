"""One live server and one headless Chromium for all browser tests of the web pages.

The app (SQLite in a temporary folder, seeded through the services) is served by uvicorn in a
thread on a random 127.0.0.1 port; Chromium is Debian's, driven by Playwright without
`playwright install`. Each role signs in once through the real login form; tests open pages in
that role's browser context. Every page records JavaScript dialogs and console errors, so a
hostile string that executes anywhere fails the test that showed it.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_seed import PASSWORD, USERS, Seeded, seed

pytestmark = pytest.mark.browser
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in CHROMIUM:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


# The journeys users rely on run on both databases (SQLite and a throwaway PostgreSQL 15, see
# tests/pg.py); the page-wide sweeps (hostile text on every page, CSRF on every form, labels,
# screenshots) render the same templates from the same services and run on SQLite only.
BOTH_DATABASES = {
    "test_pages_assessment",
    "test_pages_decisions_shares",
    "test_pages_evidence_history",
    "test_pages_roles",
    "test_pages_system_authoring",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "live" in metafunc.fixturenames:
        module = metafunc.module.__name__.rsplit(".", 1)[-1]
        backends = ["sqlite", "postgresql"] if module in BOTH_DATABASES else ["sqlite"]
        metafunc.parametrize("live", backends, indirect=True, scope="session")


@dataclass
class Live:
    url: str
    app: Any
    seeded: Seeded
    backend: str = "sqlite"


@pytest.fixture(scope="session")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The demo workspace served on 127.0.0.1, on the database named by the test's parameter."""
    import uvicorn

    from aisec.web.app import Settings, create_app

    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        database = request.getfixturevalue("postgres_server").new_db("web")
    else:
        database = f"sqlite:///{tmp_path_factory.mktemp('webapp')}/aisec.db"
    app = create_app(Settings(database_url=database))
    seeded = seed(app.state.sessionmaker)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    yield Live(url, app, seeded, backend)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class Watch:
    """JavaScript dialogs and console errors seen by a page (hostile text must cause none)."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Session:
    """One role signed in: open pages in its context; every page is watched."""

    live: Live
    context: Any
    username: str
    watch: Watch = field(default_factory=Watch)

    def open(self, path: str) -> Any:
        page = self.context.new_page()
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.watch.errors.append(f"pageerror: {exc}"))
        page.goto(self.live.url + path)
        return page

    def _dialog(self, dialog: Any) -> None:
        self.watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.watch.errors.append(message.text)


def sign_in(live: Live, browser: Any, username: str) -> Session:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    session = Session(live, context, username)
    page = session.open("/login")
    page.fill("#f-user", username)
    page.fill("#f-pass", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.close()
    return session


@pytest.fixture(scope="session")
def sessions(live: Live, chromium: Any) -> Iterator[dict[str, Session]]:
    made: dict[str, Session] = {}
    yield made
    for session in made.values():
        session.context.close()


@pytest.fixture(scope="session")
def as_role(live: Live, chromium: Any, sessions: dict[str, Session]) -> Any:
    """as_role('alice') -> that user's signed-in Session (created once per test run)."""

    def get(username: str) -> Session:
        assert username in USERS or username == "oscar"
        if username not in sessions:
            sessions[username] = sign_in(live, chromium, username)
        return sessions[username]

    return get


@pytest.fixture(autouse=True)
def fresh_watch(sessions: dict[str, Session]) -> None:
    """Each test judges only what its own pages did (an expected 409 elsewhere is not an error)."""
    for session in sessions.values():
        session.watch = Watch()
