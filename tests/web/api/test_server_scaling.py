"""What the server's scaling work must not change for users: the login throttle holds across
server processes and restarts (it lives in the database), and decisions recorded at the same
moment are both kept now that their analysis runs outside the write lock."""

from __future__ import annotations

import threading

import yaml
from apiworld import PASSWORD, SYSTEM, World
from fastapi.testclient import TestClient

from aisec.store import services
from aisec.store.access import CLI_ACTOR
from aisec.store.db import make_engine, make_sessionmaker
from aisec.store.models import LoginFailure, Workspace
from aisec.web.app import Settings, create_app


def _login(client: TestClient, password: str) -> int:
    r = client.post("/api/v1/auth/login", json={"username": "auditor", "password": password})
    return r.status_code


def test_login_throttle_holds_across_processes_and_restarts(world: World) -> None:
    assert all(_login(world.client, "wrong") == 401 for _ in range(5))
    # a second server process on the same database (another worker, or after a restart)
    with TestClient(create_app(Settings(database_url=world.url, pages=False))) as other:
        r = other.post("/api/v1/auth/login", json={"username": "auditor", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    with make_sessionmaker(make_engine(world.url))() as s:
        keys = {row.key for row in s.query(LoginFailure)}
    assert "user:auditor" in keys and any(k.startswith("ip:") for k in keys)


def test_successful_login_clears_the_users_failures_not_the_addresss(world: World) -> None:
    assert all(_login(world.client, "wrong") == 401 for _ in range(4))
    assert _login(world.client, PASSWORD) == 200
    with make_sessionmaker(make_engine(world.url))() as s:
        keys = [row.key for row in s.query(LoginFailure)]
    assert "user:auditor" not in keys and len(keys) == 4  # the address keeps its count
    assert _login(world.client, "wrong") == 401
    assert _login(world.client, PASSWORD) == 429  # 5 failures from this address


def test_concurrent_decisions_are_both_kept(world: World) -> None:
    factory = make_sessionmaker(make_engine(world.url))
    with factory() as s:
        ws = s.query(Workspace).filter_by(slug="acme").one()
        system = services.get_system(s, ws, SYSTEM)
        result = services.assessment_revision(s, system)
        head_before = system.assessment_head
        threats = sorted({r["threat_id"] for r in _risks(world)})[:2]
    assert len(threats) == 2 and result is not None
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(threat: str) -> None:
        try:
            with factory() as s:
                ws = s.query(Workspace).filter_by(slug="acme").one()
                system = services.get_system(s, ws, SYSTEM)
                barrier.wait(10)
                services.record_decision(
                    s,
                    CLI_ACTOR,
                    ws,
                    system,
                    services.DecisionInput(threat, "mitigate", justification=f"fix {threat}"),
                )
                s.commit()
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=(t,)) for t in threats]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with factory() as s:
        ws = s.query(Workspace).filter_by(slug="acme").one()
        system = services.get_system(s, ws, SYSTEM)
        head = services.assessment_revision(s, system)
        assert system.assessment_head == head_before + 2
        decided = {d["threat"] for d in yaml.safe_load(head.yaml_text)["decisions"]}
    assert set(threats) <= decided  # neither decision overwrote the other


def _risks(world: World) -> list[dict[str, str]]:
    r = world.client.get(
        f"/api/v1/workspaces/acme/systems/{SYSTEM}/decisions", headers=world.as_("assessor")
    )
    assert r.status_code == 200
    return [{"threat_id": x["risk"].split("@")[0]} for x in r.json()]
