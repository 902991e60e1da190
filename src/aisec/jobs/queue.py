"""The PostgreSQL job queue (procrastinate): the server defers, `aisec worker` processes run.

One task, `aisec.job(job_id)`: the job row says what to do. Re-assessment runs the service
layer; scan/probe/mltest run the aisec command of that name in a subprocess on the worker's
machine (never a shell, never code from the job: `--model-entrypoint` is refused) and post the
evidence back as a new assessment revision, audited under the job's submitter.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aisec.common.errors import InputError
from aisec.store.access import Actor
from aisec.store.db import make_engine, make_sessionmaker, write_session
from aisec.store.models import Job, System, Workspace, utcnow

QUEUE = "aisec"
_APPS: dict[str, Any] = {}
_FORBIDDEN_ARGS = ("--model-entrypoint",)
JOB_TIMEOUT = 3600.0


def conninfo(url: str) -> str:
    """libpq URL for procrastinate from the SQLAlchemy one."""
    return "postgresql://" + url.split("://", 1)[1]


def build_app(url: str, worker_name: str = "") -> Any:
    """A procrastinate App bound to this database, with the aisec task registered."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    factory_cache: list[sessionmaker[Session]] = []

    def factory() -> sessionmaker[Session]:
        if not factory_cache:
            factory_cache.append(make_sessionmaker(make_engine(url)))
        return factory_cache[0]

    @app.task(name="aisec.job", queue=QUEUE)
    def run_job(job_id: int) -> None:
        execute(factory(), job_id, worker_name or f"{socket.gethostname()}:{os.getpid()}")

    return app


def ensure_schema(url: str) -> None:
    """Install procrastinate's tables once (idempotent check on its jobs table)."""
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        exists = conn.execute("select to_regclass('procrastinate_jobs')").fetchone()
        if exists and exists[0]:
            return
        # Two processes may race here; the advisory lock keeps the schema applied once.
        conn.execute("select pg_advisory_lock(4242027090)")
        try:
            again = conn.execute("select to_regclass('procrastinate_jobs')").fetchone()
            if not (again and again[0]):
                from procrastinate.schema import SchemaManager

                conn.execute(SchemaManager.get_schema())
        finally:
            conn.execute("select pg_advisory_unlock(4242027090)")


def defer(url: str, kind: str, job_id: int) -> None:
    app = _APPS.get(url)
    if app is None:
        ensure_schema(url)
        app = _APPS[url] = build_app(url)
        app.open()
    app.tasks["aisec.job"].defer(job_id=job_id)


def run_worker(url: str, concurrency: int = 1, name: str = "", once: bool = False) -> None:
    ensure_schema(url)
    app = build_app(url, name)
    with app.open():
        app.run_worker(
            queues=[QUEUE], concurrency=concurrency, wait=not once, install_signal_handlers=not once
        )


class EmbeddedWorker:
    """A queue worker on its own event loop thread inside the server; `stop()` cancels it."""

    def __init__(self, url: str, name: str = "server") -> None:
        self.url, self.name = url, name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="aisec-queue")
        self._ready = threading.Event()

    def start(self) -> None:
        ensure_schema(self.url)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        app = build_app(self.url, self.name)

        async def main() -> None:
            async with app.open_async():
                self._task = asyncio.current_task()
                self._ready.set()
                await app.run_worker_async(queues=[QUEUE], install_signal_handlers=False)

        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(main())
        except asyncio.CancelledError:
            pass
        finally:
            self._ready.set()
            self._loop.close()

    def stop(self) -> None:
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)
        self._thread.join(10)


def _set(factory: sessionmaker[Session], job_id: int, **values: Any) -> None:
    with write_session(factory) as s:
        job = s.get(Job, job_id)
        if job is not None:
            for key, value in values.items():
                setattr(job, key, value)


def execute(factory: sessionmaker[Session], job_id: int, worker: str) -> None:
    """Run one job row (called by the procrastinate task)."""
    from aisec.jobs import run_reassess

    with factory() as s:
        job = s.get(Job, job_id)
        if job is None:
            return
        kind, params = job.kind, json.loads(job.params or "{}")
    if kind == "reassess":
        run_reassess(factory, job_id, worker)
        return
    _set(factory, job_id, status="running", worker=worker, total=1)
    try:
        message = _run_probe(factory, job_id, kind, params)
    except (InputError, OSError, subprocess.SubprocessError) as exc:
        _set(factory, job_id, status="failed", message=str(exc)[:4000], finished_at=utcnow())
        return
    _set(factory, job_id, status="done", done=1, message=message, finished_at=utcnow())


def _run_probe(
    factory: sessionmaker[Session], job_id: int, kind: str, params: dict[str, Any]
) -> str:
    from aisec.store.services import upload_evidence

    args = [str(a) for a in params.get("args", [])]
    if any(a.split("=", 1)[0] in _FORBIDDEN_ARGS for a in args):
        raise InputError("jobs may not run code (--model-entrypoint is refused)")
    slug = str(params.get("system", ""))
    with tempfile.TemporaryDirectory(prefix="aisec-job-") as tmp:
        out = Path(tmp) / f"{kind}-job{job_id}.json"
        proc = subprocess.run(  # noqa: S603  (fixed executable, no shell, args are data)
            [sys.executable, "-m", "aisec", kind, *args, "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=JOB_TIMEOUT,
            check=False,
        )
        if proc.returncode not in (0, 1) or not out.exists():
            raise InputError(
                f"aisec {kind} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
            )
        raw = out.read_bytes()
    with write_session(factory) as s:
        job = s.get(Job, job_id)
        assert job is not None
        ws = s.get(Workspace, job.workspace_id)
        assert ws is not None
        system = s.scalar(select(System).where(System.workspace_id == ws.id, System.slug == slug))
        if system is None:
            raise InputError(f"no system {slug!r} in workspace {ws.slug!r}")
        actor = Actor(job.created_by_id, str(params.get("actor", "job")), via=f"worker:{job_id}")
        row, rev = upload_evidence(s, actor, ws, system, out.name, raw, f"{kind} job {job_id}")
        return f"evidence {row.id} posted to {slug} (assessment revision {rev.number})"
