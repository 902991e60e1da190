"""Scan jobs queued through the API on PostgreSQL are taken by two `aisec worker` processes
(procrastinate) that post their evidence back as new assessment revisions."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

from apiworld import SYSTEM, build_world

from pg import PostgresServer

WS = "/api/v1/workspaces/acme"


def test_two_workers_share_the_queue(postgres_server: PostgresServer, tmp_path: Path) -> None:
    url = postgres_server.new_db("workers")
    world = build_world(url, embedded_worker=False)
    models = []
    for i in range(4):
        path = tmp_path / f"model{i}.pkl"
        path.write_bytes(pickle.dumps({"weights": list(range(i + 1))}))
        models.append(path)
    with world.client as c:
        h = world.as_("assessor")
        jobs = []
        for path in models:
            r = c.post(
                f"{WS}/jobs",
                json={"kind": "scan", "params": {"system": SYSTEM, "args": [str(path)]}},
                headers=h,
            )
            assert r.status_code == 202, r.text
            jobs.append(r.json()["id"])
        refused = c.post(
            f"{WS}/jobs",
            json={
                "kind": "mltest",
                "params": {"system": SYSTEM, "args": ["--model-entrypoint", "os:system"]},
            },
            headers=h,
        )
        assert refused.status_code == 202  # queued; the worker refuses to run code
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "aisec", "worker", "--db", url, "--once", "--name", f"w{n}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for n in (1, 2)
        ]
        for proc in workers:
            out, _ = proc.communicate(timeout=240)
            assert proc.returncode == 0, out.decode()[-2000:]
        done = [c.get(f"{WS}/jobs/{j}", headers=h).json() for j in jobs]
        assert all(j["status"] == "done" for j in done), done
        assert {j["worker"] for j in done} == {"w1", "w2"}, "both workers took jobs"
        bad = c.get(f"{WS}/jobs/{refused.json()['id']}", headers=h).json()
        assert bad["status"] == "failed" and "model-entrypoint" in bad["message"]
        evidence = c.get(f"{WS}/systems/{SYSTEM}/evidence", headers=h).json()
        assert len(evidence) == 4 and {e["tool"] for e in evidence} == {"aisec-scan"}
        revs = c.get(f"{WS}/systems/{SYSTEM}/revisions", headers=h).json()["assessment"]
        assert len(revs) == 5 and all(r["label"] == "evidence" for r in revs[1:])


def test_sqlite_refuses_remote_jobs(tmp_path: Path) -> None:
    world = build_world(f"sqlite:///{tmp_path / 'a.db'}")
    with world.client as c:
        r = c.post(
            f"{WS}/jobs",
            json={"kind": "scan", "params": {"system": SYSTEM}},
            headers=world.as_("assessor"),
        )
        assert r.status_code == 400 and "PostgreSQL" in r.text


def test_worker_runs_probe_and_mltest_jobs(postgres_server: PostgresServer) -> None:
    """A probe job against the built-in reference target on 127.0.0.1 and an mltest job on a
    bundled dataset each post their evidence back as a new revision."""
    from aisec.probes.llm.reference import start_reference_target

    url = postgres_server.new_db("probejobs")
    world = build_world(url, embedded_worker=False)
    target, stop = start_reference_target("hardened")
    try:
        with world.client as c:
            h = world.as_("assessor")
            kinds = {
                "probe": ["--target", target, "--no-progress", "--only", "prompt-injection"],
                "mltest": [
                    *("--dataset", "wine", "--demo-model", "logreg", "--seed", "7"),
                    *("--evasion-samples", "8", "--budgets", "20,200", "--eps", "0.1,0.5"),
                ],
            }
            jobs = {}
            for kind, args in kinds.items():
                r = c.post(
                    f"{WS}/jobs",
                    json={"kind": kind, "params": {"system": SYSTEM, "args": args}},
                    headers=h,
                )
                assert r.status_code == 202, r.text
                jobs[kind] = r.json()["id"]
            proc = subprocess.run(
                [sys.executable, "-m", "aisec", "worker", "--db", url, "--once", "--name", "w"],
                capture_output=True,
                text=True,
                timeout=400,
            )
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
            for kind, job in jobs.items():
                body = c.get(f"{WS}/jobs/{job}", headers=h).json()
                assert body["status"] == "done", (kind, body)
            evidence = c.get(f"{WS}/systems/{SYSTEM}/evidence", headers=h).json()
            assert {e["tool"] for e in evidence} == {"aisec-probe", "aisec-mltest"}
            revs = c.get(f"{WS}/systems/{SYSTEM}/revisions", headers=h).json()["assessment"]
            assert [r["label"] for r in revs[1:]] == ["evidence", "evidence"]
    finally:
        stop()
