"""The pages on both databases (SQLite and a throwaway PostgreSQL 15): every page answers, and a
save of each kind (system YAML, controls, decision, evidence, member) goes through. HTTP only,
no browser: the browser journeys run once, on SQLite."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_seed import PASSWORD, SHARED_WITH_VENDOR, evidence_json, seed

from aisec.web.app import Settings, create_app

PAGES = [
    "/w/demo/",
    "/w/demo/?band=high&since=2026-01-01&page=1",
    "/w/demo/decisions?scope=all",
    "/w/demo/exports",
    "/w/demo/admin",
    "/w/demo/audit",
    "/w/demo/systems/new",
    "/w/demo/systems/fraud-classifier",
    "/w/demo/systems/fraud-classifier/assessment",
    "/w/demo/systems/fraud-classifier/decisions",
    "/w/demo/systems/fraud-classifier/evidence",
    "/w/demo/systems/fraud-classifier/history",
    "/w/demo/systems/fraud-classifier/diff?a=1&b=2",
    "/w/demo/systems/fraud-classifier/exports",
    "/w/demo/systems/fraud-classifier/edit",
    "/w/demo/systems/fraud-classifier/yaml",
    "/w/demo/systems/fraud-classifier/sharing",
    "/w/demo/systems/fraud-classifier/ci",
    "/w/demo/systems/fraud-classifier/revisions/2/report.xlsx",
    "/w/demo/exports/bundle.zip",
]


def _login(client: TestClient, user: str) -> str:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    done = client.post(
        "/login", data={"username": user, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert done.status_code == 200
    page = client.get("/w/demo/admin")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_pages_and_saves_on_each_database(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url))
    seed(app.state.sessionmaker, only=("fraud-classifier", SHARED_WITH_VENDOR))
    with TestClient(app) as client:
        csrf = _login(client, "alice")
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
        soa = client.get("/w/demo/systems/fraud-classifier/assessment").text
        base = re.search(r'name="base_revision" value="(\d+)"', soa).group(1)
        control = re.search(r'name="c\.([a-z0-9-]+)\.owner"', soa).group(1)
        saves = [
            (
                "/w/demo/systems/fraud-classifier/assessment",
                {
                    "base_revision": base,
                    f"c.{control}.present": "1",
                    f"c.{control}.owner": "Owner on every backend",
                    f"c.{control}.applicable": "1",
                },
            ),
            (
                "/w/demo/systems/fraud-classifier/decisions",
                {
                    "threat": "evasion",
                    "component": "fraud-model",
                    "treatment": "mitigate",
                    "justification": "roadmap item",
                },
            ),
            ("/w/demo/admin/members", {"username": "audrey", "role": "auditor"}),
            ("/w/demo/systems/fraud-classifier/sharing", {"username": "victor"}),
        ]
        for path, data in saves:
            done = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
            assert done.status_code == 303, (path, done.text[:300])
        upload = client.post(
            "/w/demo/systems/fraud-classifier/evidence",
            data={"csrf_token": csrf},
            files={"file": ("again.json", evidence_json(), "application/json")},
            follow_redirects=False,
        )
        assert upload.status_code == 303
        yaml_text = client.get("/w/demo/systems/fraud-classifier/system.yaml").text
        saved = client.post(
            "/w/demo/systems/fraud-classifier/yaml",
            data={
                "csrf_token": csrf,
                "yaml": yaml_text.replace("Card-payment", "Card"),
                "message": "renamed",
            },
            follow_redirects=False,
        )
        assert saved.status_code == 303
        history = client.get("/w/demo/systems/fraud-classifier/history").text
        assert history.count('class="tl-assessment"') >= 6
