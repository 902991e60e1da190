"""The browser's system editors (guided form, YAML editor, upload) analyse outside the store's write
lock, like the REST API: another save made while an edit is being analysed goes through at once,
and the edit made from the older revision is then refused as a conflict the user sees, never
saved over the other one (no lost write). Re-submitted from the new head, it is saved."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from aisec.service import bundled_examples
from aisec.store import accounts, pool, services
from aisec.store.access import CLI_ACTOR
from aisec.store.assessing import Summary, summarise_text
from aisec.store.db import write_session
from aisec.web.app import Settings, create_app
from aisec.web.pages.system_form import data_to_form

SLUG = "rag-assistant"
EXAMPLES = {sid: (s, a) for sid, s, a in bundled_examples()}
MARK = "edited in the browser"


@dataclass
class Site:
    client: TestClient
    factory: sessionmaker[Session]
    token: str
    text: str
    raced: list[bool] = field(default_factory=list)  # per race: did the other save finish?

    def post(self, path: str, data: dict[str, Any], files: dict[str, Any] | None) -> Any:
        return self.client.post(
            path,
            data=data,
            files=files,
            headers={"Authorization": f"Bearer {self.token}"},
            follow_redirects=False,
        )

    def head(self) -> tuple[int, str]:
        with self.factory() as s:
            system = services.get_system(s, services.get_workspace(s, "acme"), SLUG)
            return system.system_head, services.system_revision(s, system).yaml_text


@pytest.fixture
def site(db_url: str) -> Iterator[Site]:
    system_path, assessment_path = EXAMPLES[SLUG]
    text = system_path.read_text(encoding="utf-8")
    assessment = assessment_path.read_text(encoding="utf-8") if assessment_path else None
    app = create_app(Settings(database_url=db_url))
    factory = app.state.sessionmaker
    with write_session(factory) as s, mock.patch.object(pool, "summarise", summarise_text):
        user = accounts.add_user(s, "editor", None, admin=True)
        ws = services.create_workspace(s, CLI_ACTOR, "acme", "Acme")
        services.create_system(s, CLI_ACTOR, ws, text, "seed", assessment)
        token = accounts.create_token(s, user, "t", ["read", "write"], 30).secret
    client = TestClient(app)  # no lifespan: the test analyses in-thread, no pool is started
    yield Site(client, factory, token, text)
    client.close()


def _other_save(site: Site) -> None:
    """Another user saves the system (REST-equivalent service call) in their own transaction."""
    with site.factory() as s:
        ws = services.get_workspace(s, "acme")
        system = services.get_system(s, ws, SLUG)
        services.update_system(s, CLI_ACTOR, ws, system, site.text + "# saved meanwhile\n", 1)
        s.commit()


def _racing(site: Site) -> Any:
    """pool.summarise that, while the browser's edit is analysed, lets another save run and
    waits (at most 10 s) for it to commit."""

    def summarise(
        system_text: str, assessment_text: str | None, evidence: Sequence[tuple[str, bytes]] = ()
    ) -> Summary:
        if MARK in system_text and not site.raced:
            other = threading.Thread(target=_other_save, args=(site,), daemon=True)
            other.start()
            other.join(10)
            site.raced.append(not other.is_alive())
        return summarise_text(system_text, assessment_text, evidence)

    return summarise


Edit = tuple[str, dict[str, Any], dict[str, Any] | None]  # path, form fields, files


def _yaml_edit(site: Site, base: int) -> Edit:
    text = site.text + f"# {MARK}\n"
    return f"/w/acme/systems/{SLUG}/yaml", {"yaml": text, "base_revision": str(base)}, None


def _upload_edit(site: Site, base: int) -> Edit:
    text = site.text + f"# {MARK}\n"
    files = {"file": ("rag-assistant.yaml", text.encode("utf-8"), "application/yaml")}
    return f"/w/acme/systems/{SLUG}/upload", {"base_revision": str(base)}, files


def _form_edit(site: Site, base: int) -> Edit:
    values: dict[str, Any] = data_to_form(yaml.safe_load(site.text))
    values["description"] = [f"A retrieval assistant, {MARK}."]
    values.update(base_revision=str(base), message="form edit")
    return f"/w/acme/systems/{SLUG}/edit", values, None


@pytest.mark.parametrize(
    "edit", [_yaml_edit, _upload_edit, _form_edit], ids=["yaml-editor", "upload", "guided-form"]
)
def test_an_edit_races_another_save_without_losing_either(site: Site, edit: Any) -> None:
    with mock.patch.object(pool, "summarise", _racing(site)):
        r = site.post(*edit(site, 1))
        assert site.raced == [True], "the other save waited for the edit's analysis"
        assert r.status_code == 409, r.text[:500]
        assert "Someone saved this system meanwhile" in r.text
        number, text = site.head()
        assert number == 2 and text.endswith("# saved meanwhile\n")  # theirs kept
        assert MARK not in text  # ours not written over it
        r = site.post(*edit(site, 2))  # re-applied on the new head: saved
    assert r.status_code == 303, r.text[:500]
    number, text = site.head()
    assert number == 3 and MARK in text
