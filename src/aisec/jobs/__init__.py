"""Background jobs: re-assessing a workspace, and scan/probe/mltest work for `aisec worker`.

A job is a row in `jobs` (status, done/total, message) that the API shows as progress. Where it
runs: in-process threads with SQLite (one machine, no queue server); on the procrastinate queue
with PostgreSQL, so `aisec worker` processes on other machines can take the work.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aisec.common.errors import AisecError, InputError
from aisec.store.access import Actor
from aisec.store.db import write_session
from aisec.store.models import Job, System, Workspace, utcnow

KINDS = ("reassess", "scan", "probe", "mltest")


def job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "worker": job.worker,
        "params": json.loads(job.params or "{}"),
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


BATCH = 50  # revisions per write transaction: one commit (and fsync) per batch, not per system


def _summaries(inputs: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(slug, Summary or AisecError) per system: in the shared process pool when there is one
    (a bounded window of jobs queued, so an interactive save waits behind one job, not 1,000)."""
    from aisec.store.assessing import summarise_text
    from aisec.store.pool import shared

    pool = shared()
    if pool is not None:
        yield from pool.map((slug, item[2:]) for slug, item in inputs.items())
        return
    for slug, (_, _, text, assessment, evidence) in inputs.items():
        try:
            yield slug, summarise_text(text, assessment, evidence)
        except AisecError as exc:
            yield slug, exc


def run_reassess(factory: sessionmaker[Session], job_id: int, worker: str = "in-process") -> None:
    """Re-assess every system of the job's workspace.

    The analyses run in the process pool (CPU-bound, one per core) from inputs read in one
    transaction; the new revisions are written in batches of `BATCH` per short write
    transaction, and a system edited meanwhile is re-run inline so no save is overwritten with
    stale inputs.
    """
    from aisec.store.services import reassess, reassess_inputs

    with write_session(factory) as s:
        job = s.get(Job, job_id)
        if job is None or job.status not in ("queued",):
            return
        job.status, job.worker = "running", worker
        ws_id = job.workspace_id
        systems = list(
            s.scalars(select(System).where(System.workspace_id == ws_id).order_by(System.slug))
        )
        job.total = len(systems)
        params = json.loads(job.params or "{}")
        actor = Actor(job.created_by_id, str(params.get("actor", "job")), via=f"job:{job_id}")
    with factory() as s:
        inputs = {sys_.slug: reassess_inputs(s, s.merge(sys_)) for sys_ in systems}
    failures: list[str] = []
    label = str(params.get("label", ""))
    done = 0
    batch: list[tuple[str, Any]] = []

    def flush() -> None:
        nonlocal done
        with write_session(factory) as s:
            ws = s.get(Workspace, ws_id)
            slugs = [slug for slug, _ in batch]
            found = {
                x.slug: x
                for x in s.scalars(
                    select(System).where(System.workspace_id == ws_id, System.slug.in_(slugs))
                )
            }
            for slug, summary in batch:
                system = found.get(slug)
                if ws is None or system is None:
                    continue
                heads = inputs[slug][:2]
                try:  # raises (if at all) while re-analysing, before writing anything
                    reassess(s, actor, ws, system, label, (heads[0], heads[1], summary))
                except InputError as exc:
                    failures.append(f"{slug}: {exc}")
            done += len(batch)
            row = s.get(Job, job_id)
            assert row is not None
            row.done = done
        batch.clear()

    for slug, summary in _summaries(inputs):
        if isinstance(summary, AisecError):
            failures.append(f"{slug}: {summary}")
            done += 1
            continue
        batch.append((slug, summary))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    with write_session(factory) as s:
        row = s.get(Job, job_id)
        assert row is not None
        row.done = len(systems)
        row.status = "failed" if failures and len(failures) == len(systems) else "done"
        row.message = "; ".join(failures)[:4000] or f"re-assessed {len(systems)} systems"
        row.finished_at = utcnow()


class JobRunner:
    """Submit jobs; run them in-process (SQLite) or hand them to the procrastinate queue."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        url: str,
        inline: bool | None,
        embedded_worker: bool = True,
    ) -> None:
        self.factory = factory
        self.url = url
        self.inline = url.startswith("sqlite") if inline is None else inline
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._worker: Any = None  # aisec.jobs.queue.EmbeddedWorker (PostgreSQL only)
        self.embedded_worker = embedded_worker and not self.inline

    def _start_embedded_worker(self) -> None:
        """With PostgreSQL the server also works its own queue (re-assessments) in a thread;
        `aisec worker` processes elsewhere share the same queue."""
        with self._lock:
            if self._worker is not None or not self.embedded_worker:
                return
            from aisec.jobs.queue import EmbeddedWorker

            self._worker = EmbeddedWorker(self.url)
            self._worker.start()

    def submit(
        self, s: Session, ws: Workspace, kind: str, params: dict[str, Any], actor: Actor
    ) -> Job:
        """Create the job row in the caller's transaction; dispatch after it commits."""
        if kind not in KINDS:
            raise InputError(f"unknown job kind {kind!r}", hint=f"one of {', '.join(KINDS)}")
        if kind != "reassess" and self.inline:
            raise InputError(
                f"{kind} jobs need the PostgreSQL queue and an 'aisec worker'",
                hint="run the server with --db postgresql+psycopg://... and start 'aisec worker'",
            )
        job = Job(
            workspace_id=ws.id,
            kind=kind,
            params=json.dumps({**params, "actor": actor.username}),
            created_by_id=actor.user_id,
        )
        s.add(job)
        s.flush()
        return job

    def dispatch(self, job_id: int, kind: str) -> None:
        if self.inline:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="aisec-job")
            self._pool.submit(run_reassess, self.factory, job_id)
            return
        from aisec.jobs.queue import defer

        if kind == "reassess":
            self._start_embedded_worker()
        defer(self.url, kind, job_id)

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
