"""A small process pool for the server's analyses (saves, uploads, decisions, re-assessment).

An analysis is ~50-130 ms of pure-Python CPU. Run in the server process it holds the GIL, and
every read queued behind it waits; run here it uses another core while the server keeps
answering. One pool per process, created on first use and shared by every app and job runner
of that process (tests create many apps; each would otherwise spawn its own workers).

Errors a user can fix (`AisecError`) cross the process boundary with their hint and location
intact (plain exception pickling would drop the keyword-only fields).
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from aisec.common.errors import AisecError
from aisec.store.assessing import Summary, summarise_text

ENV_WORKERS = "AISEC_ANALYSIS_WORKERS"
Job = tuple[str, str | None, Sequence[tuple[str, bytes]]]


def configured_workers() -> int:
    """AISEC_ANALYSIS_WORKERS, else one per core up to 2 (0 = analyse in the calling thread)."""
    raw = os.environ.get(ENV_WORKERS, "")
    if raw.strip().isdigit():
        return min(int(raw), 16)
    return max(1, min(2, os.cpu_count() or 1))


def _init_worker(parent: int) -> None:
    """Worker start-up: die with the server (a `kill -9` leaves no orphan holding its pipes),
    then import the analysis and load the catalogue once, before any request."""
    _die_with(parent)
    _warm()


def _die_with(parent: int) -> None:
    """Exit once re-parented (PR_SET_PDEATHSIG is not used: it follows the spawning *thread*,
    and the server's worker threads come and go)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="aisec-parent-watch", daemon=True).start()


def _warm() -> None:
    import gc

    from aisec.service import get_catalog

    get_catalog()
    gc.freeze()  # the catalogue is long-lived: keep the collector from rescanning it (~25 %)


def _run(
    system_text: str, assessment_text: str | None, evidence: Sequence[tuple[str, bytes]]
) -> Any:
    """Worker side: a Summary, or ('error', class, args, state) for an expected failure."""
    try:
        return summarise_text(system_text, assessment_text, evidence)
    except AisecError as exc:
        return ("error", type(exc), exc.args, dict(exc.__dict__))


def _unwrap(value: Any) -> Summary:
    if isinstance(value, tuple) and value and value[0] == "error":
        _, cls, args, state = value
        exc = cls.__new__(cls)
        exc.args = args
        exc.__dict__.update(state)
        raise exc
    assert isinstance(value, Summary)
    return value


class AnalysisPool:
    """`workers` spawned processes (spawn: no forked copy of the server's threads or sockets)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(os.getpid(),),
                )
            return self._executor

    def warm(self) -> None:
        """Spawn every worker in the background (each imports aisec and loads the catalogue)."""
        pool = self._pool()
        for _ in range(self.workers):
            pool.submit(_warm)

    def _reset(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def submit(
        self, system_text: str, assessment_text: str | None, evidence: Sequence[tuple[str, bytes]]
    ) -> Future[Any]:
        pool = self._pool()
        try:
            return pool.submit(_run, system_text, assessment_text, list(evidence))
        except BrokenProcessPool:
            self._reset(pool)
            return self._pool().submit(_run, system_text, assessment_text, list(evidence))

    def summarise(
        self,
        system_text: str,
        assessment_text: str | None,
        evidence: Sequence[tuple[str, bytes]] = (),
    ) -> Summary:
        future = self.submit(system_text, assessment_text, evidence)
        try:
            return _unwrap(future.result())
        except BrokenProcessPool:  # a worker died (e.g. out of memory): once more, here
            self._reset(self._pool())
            return summarise_text(system_text, assessment_text, evidence)

    def map(self, jobs: Iterable[tuple[Any, Job]], window: int = 0) -> Iterator[tuple[Any, Any]]:
        """(key, Summary or the AisecError raised) per job, in order, with at most `window`
        jobs queued at once so an interactive save submitted meanwhile waits for one job only."""
        window = window or 2 * self.workers
        pending: list[tuple[Any, Future[Any]]] = []
        items = iter(jobs)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                try:
                    key, (text, assessment, evidence) = next(items)
                except StopIteration:
                    exhausted = True
                    break
                pending.append((key, self.submit(text, assessment, evidence)))
            if not pending:
                break
            key, future = pending.pop(0)
            try:
                yield key, _unwrap(future.result())
            except AisecError as exc:
                yield key, exc

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


_SHARED: AnalysisPool | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> AnalysisPool | None:
    """The process-wide pool (None when AISEC_ANALYSIS_WORKERS=0: analyse in-thread)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            workers = configured_workers()
            if workers <= 0:
                return None
            _SHARED = AnalysisPool(workers)
            atexit.register(_SHARED.shutdown)
        return _SHARED


def summarise(
    system_text: str, assessment_text: str | None, evidence: Sequence[tuple[str, bytes]] = ()
) -> Summary:
    """What the store keeps of one analysis, computed in the pool when there is one."""
    pool = shared()
    if pool is None:
        return summarise_text(system_text, assessment_text, evidence)
    return pool.summarise(system_text, assessment_text, evidence)
