"""A real `aisec serve` process on 127.0.0.1: concurrent saves, kill -9 during writes, push/pull,
--demo and the first-start message."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import httpx
from apiworld import SYSTEM, cli, example, start_live
from test_flow import evidence_bytes

from aisec.service import run_assessment
from aisec.store import accounts, audit, services
from aisec.store.access import CLI_ACTOR
from aisec.store.db import make_engine, make_sessionmaker, upgrade, write_session
from aisec.store.models import AssessmentRevision, System

SYS = f"/api/v1/workspaces/acme/systems/{SYSTEM}"


def _seed(url: str) -> str:
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with write_session(factory) as s:
        user = accounts.add_user(s, "admin", None, admin=True)
        ws = services.create_workspace(s, CLI_ACTOR, "acme", "Acme")
        text, assessment = example(SYSTEM)
        services.create_system(s, CLI_ACTOR, ws, text, "seed", assessment)
        return accounts.create_token(s, user, "t", ["read", "write", "evidence"]).secret


def _variant(i: int) -> str:
    _, assessment = example(SYSTEM)
    return assessment + f"\n# save {i}\n"


def test_concurrent_saves_then_kill9_loses_nothing(db_url: str, tmp_path: Path) -> None:
    token = _seed(db_url)
    live = start_live(db_url, tmp_path)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        # four users save the same revision at the same moment: exactly one wins
        barrier = threading.Barrier(4)
        statuses: list[int] = []

        def save_same(i: int) -> None:
            with httpx.Client(base_url=live.base, headers=headers, timeout=60) as c:
                barrier.wait()
                r = c.put(f"{SYS}/assessment", json={"yaml": _variant(i), "base_revision": 1})
                statuses.append(r.status_code)

        threads = [threading.Thread(target=save_same, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 409, 409, 409]

        # now writers hammer the server and it is killed -9 in the middle
        acked: dict[int, str] = {}
        stop = threading.Event()

        def writer(k: int) -> None:
            with httpx.Client(base_url=live.base, headers=headers, timeout=30) as c:
                i = 0
                while not stop.is_set():
                    i += 1
                    text = _variant(1000 * k + i)
                    try:
                        if i % 3 == 0:
                            r = c.post(
                                f"{SYS}/evidence",
                                files={"file": (f"e{k}-{i}.json", evidence_bytes())},
                            )
                            if r.status_code == 201:
                                acked[r.json()["assessment_revision"]] = ""
                            continue
                        r = c.put(f"{SYS}/assessment", json={"yaml": text})
                    except httpx.HTTPError:
                        return
                    if r.status_code == 200:
                        acked[r.json()["number"]] = hashlib.sha256(text.encode()).hexdigest()

        writers = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
        for t in writers:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        live.kill9()
        stop.set()
        for t in writers:
            t.join(30)
        assert len(acked) >= 6
    finally:
        if live.proc.poll() is None:
            live.kill9()
    factory = make_sessionmaker(make_engine(db_url))
    with factory() as s:
        system = s.query(System).filter_by(slug=SYSTEM).one()
        stored = {
            r.number: r.sha256 for r in s.query(AssessmentRevision).filter_by(system_id=system.id)
        }
        for number, sha in acked.items():
            assert number in stored, f"acknowledged revision {number} lost"
            assert not sha or stored[number] == sha
        assert system.assessment_head == max(stored)
        assert sorted(stored) == list(range(1, max(stored) + 1))
        result = audit.verify(s)
        assert result.ok, result.describe()


def test_demo_first_start_push_and_pull(tmp_path: Path) -> None:
    live = start_live(None, tmp_path, "--demo")
    try:
        assert (tmp_path / "aisec.db").exists()  # SQLite next to where it was started
        systems = {"HTTP": httpx.get(live.base + "/api/v1/workspaces/demo/systems").status_code}
        assert systems["HTTP"] == 401
        assert (
            cli(
                "user",
                "add",
                "ci",
                "--admin",
                "--password-stdin",
                cwd=tmp_path,
                stdin="a long enough password\n",
            ).returncode
            == 0
        )
        token = cli(
            "user", "token", "ci", "--scope", "read", "--scope", "evidence", cwd=tmp_path
        ).stdout.strip()
        assert token.startswith("aisec_")
        env = {"AISEC_TOKEN": token, "AISEC_SERVER": live.base}
        evidence = tmp_path / "scan.json"
        evidence.write_bytes(evidence_bytes())
        pushed = cli("push", f"demo/{SYSTEM}", str(evidence), cwd=tmp_path, env=env)
        assert pushed.returncode == 0, pushed.stderr
        assert "assessment revision 2" in pushed.stdout
        out = tmp_path / "pulled"
        pulled = cli("pull", SYSTEM, "--workspace", "demo", "-o", str(out), cwd=tmp_path, env=env)
        assert pulled.returncode == 0, pulled.stderr
        text, assessment = example(SYSTEM)
        assert (out / f"{SYSTEM}.yaml").read_text() == text
        assert (out / f"{SYSTEM}.assessment.yaml").read_text() == assessment
        # the pulled files are what `aisec assess` reads
        run = run_assessment(out / f"{SYSTEM}.yaml", out / f"{SYSTEM}.assessment.yaml")
        assert run.result.system_id == SYSTEM and run.result.assessed
        # a token without the write scope cannot change anything
        denied = httpx.put(
            live.base + f"/api/v1/workspaces/demo/systems/{SYSTEM}/assessment",
            json={"yaml": assessment},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert denied.status_code == 403
    finally:
        live.kill9()
    output = live.proc.stdout.read().decode() if live.proc.stdout else ""
    assert "aisec user add --admin" in output and "no default password" in output
    assert "5 example system(s) imported" in output
