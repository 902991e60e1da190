"""One server process may serve several databases (the test suite does; so may an embedding
application): their revision ids coincide, and no page, export or cached parse of one may show
the other's data. Two SQLite stores here hold a system under the same slug at the same revision
ids but describing different systems."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from aisec.service import bundled_examples
from aisec.store import accounts, history, pool, services
from aisec.store.access import CLI_ACTOR
from aisec.store.assessing import summarise_text
from aisec.store.db import write_session
from aisec.web.app import Settings, create_app
from aisec.web.pages.loading import report_input, result_of

SLUG = "shared-id"
EXAMPLES = {sid: (s, a) for sid, s, a in bundled_examples()}


@dataclass
class Store:
    client: TestClient
    factory: sessionmaker[Session]
    token: str
    name: str  # the system name its YAML gives

    def get(self, path: str) -> str:
        r = self.client.get(path, headers={"Authorization": f"Bearer {self.token}"})
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        return str(r.text)


def _store(tmp_path: Path, example: str) -> Store:
    system_path, assessment_path = EXAMPLES[example]
    assert assessment_path is not None
    text = re.sub(r"(?m)^id: .*$", f"id: {SLUG}", system_path.read_text(encoding="utf-8"))
    assessment = re.sub(
        r"(?m)^system: .*$", f"system: {SLUG}", assessment_path.read_text(encoding="utf-8")
    )
    name = re.search(r"(?m)^name: (.*)$", text)
    assert name is not None
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / example}.db"))
    factory = app.state.sessionmaker
    # analyse in this thread: no process pool is started for two small seeds
    with write_session(factory) as s, mock.patch.object(pool, "summarise", summarise_text):
        user = accounts.add_user(s, "reader", None, admin=True)
        ws = services.create_workspace(s, CLI_ACTOR, "acme", "Acme")
        services.create_system(s, CLI_ACTOR, ws, text, "seed", assessment)
        token = accounts.create_token(s, user, "t", ["read"], 30).secret
    return Store(TestClient(app), factory, token, name.group(1).strip())


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    a, b = _store(tmp_path, "rag-assistant"), _store(tmp_path, "fraud-classifier")
    yield a, b
    for store in (a, b):
        store.client.close()


def test_pages_and_exports_of_two_stores_stay_apart(stores: tuple[Store, Store]) -> None:
    a, b = stores
    assert a.name != b.name
    page = f"/w/acme/systems/{SLUG}"
    for first, second in ((a, b), (b, a)):  # each store's pages read after the other's cached
        for path in (page, "/w/acme/", f"{page}/revisions/1/report.html"):
            text = first.get(path)
            assert html.escape(first.name) in text, path
            assert html.escape(second.name) not in text, path


def test_cached_parses_of_two_stores_stay_apart(stores: tuple[Store, Store]) -> None:
    a, b = stores
    seen = []
    for store in (a, b, a):
        with store.factory() as db:
            ws = services.get_workspace(db, "acme")
            system = services.get_system(db, ws, SLUG)
            rev = services.assessment_revision(db, system)
            assert rev.id == 1  # the same revision id in both stores
            names = {
                result_of(db, rev).system_name,
                report_input(db, system, rev).result.system_name,
                history.result(db, system)["result"]["system_name"],
                history.result_only(db, system)["result"]["system_name"],
            }
            assert names == {store.name}
            seen.append(names)
    assert seen[0] != seen[1]
