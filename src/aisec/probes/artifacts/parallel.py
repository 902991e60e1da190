"""Scan a planned list of files in several forked workers, results in the planned order.

A model folder of many files is scanned file by file, and on a CI runner with several cores
one process leaves them idle. The files are dealt to `jobs` workers by size (largest first to
the least loaded, so one big file does not leave the others waiting); this process is worker 0
and the others are forked children. A child writes one JSON line per finished file to its own
unlinked temporary file (never a pipe, which would block it while this process is busy
scanning), so a child that dies keeps what it finished and its other files become `error`
results naming why. Each worker gets its share of the scan's extraction budget, so the
absolute cap holds for the whole scan. Results travel as JSON, never pickle.
"""

from __future__ import annotations

import heapq
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aisec.probes.artifacts.engine import Engine
from aisec.probes.artifacts.filescan import failed_file, scan_file
from aisec.probes.artifacts.names import escape_path
from aisec.probes.artifacts.result import FileResult, FileVerdict
from aisec.probes.artifacts.rules import Rule
from aisec.probes.record import Finding, Verdict

# Below this many input bytes per worker a second process costs more (fork, page copies,
# results sent back as JSON) than it saves: for small files start-up and bookkeeping dominate.
MIN_BYTES_PER_JOB = 64 << 20
MAX_JOBS = 8
USE_FORK = hasattr(os, "fork")


def auto_jobs(files: list[tuple[Path, int]]) -> int:
    """Workers worth starting for `files`: one per available core, at most MAX_JOBS and one
    per MIN_BYTES_PER_JOB of input (and per file); 1 where fork is missing."""
    total = sum(size for _, size in files)
    if not USE_FORK or len(files) < 2 or total < 2 * MIN_BYTES_PER_JOB:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS, len(files), total // MIN_BYTES_PER_JOB))


def deal(sizes: list[int], jobs: int) -> list[list[int]]:
    """File indexes per worker: largest first to the least-loaded worker; each worker's list in
    planned order. Every worker gets at least one file when there are enough."""
    loads = [(0, w) for w in range(jobs)]
    shares: list[list[int]] = [[] for _ in range(jobs)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        load, w = heapq.heappop(loads)
        shares[w].append(i)
        heapq.heappush(loads, (load + max(sizes[i], 4096), w))  # a file costs at least a page
    return [sorted(s) for s in shares]


def scan_files(
    files: list[tuple[Path, int]],
    make_engine: Callable[[float], Engine],
    hash_files: bool,
    jobs: int,
) -> list[FileResult]:
    """Scan `files` in `jobs` processes; `make_engine(share)` builds a worker's engine given its
    share of the input bytes (for the extraction budget)."""
    import tempfile  # imported here: a one-file scan never needs it (start-up)

    shares = deal([size for _, size in files], jobs)
    total = sum(size for _, size in files) or 1
    children: list[tuple[int, Any, list[int]]] = []
    for share in shares[1:]:
        if not share:
            continue
        out = tempfile.TemporaryFile()  # noqa: SIM115  (closed below, after the child's exit)
        pid = os.fork()
        if pid == 0:
            _child(files, share, make_engine(_part(files, share, total)), hash_files, out)
        children.append((pid, out, share))
    engine = make_engine(_part(files, shares[0], total))
    results: dict[int, FileResult] = {
        i: scan_file(engine, files[i][0], hash_files) for i in shares[0]
    }
    for pid, out, share in children:
        _, status = os.waitpid(pid, 0)
        with out:
            out.seek(0)
            for line in out:
                i, result = _decode(files, line)
                results[i] = result
        why = _death(status)
        for i in share:
            if i not in results:
                results[i] = _lost(files[i][0], files[i][1], why)
    return [results[i] for i in range(len(files))]


def _part(files: list[tuple[Path, int]], share: list[int], total: int) -> float:
    return sum(files[i][1] for i in share) / total


def _child(
    files: list[tuple[Path, int]], share: list[int], engine: Engine, hash_files: bool, out: Any
) -> None:
    """Scan this worker's files, one JSON line each; never return into the parent's code."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the worker, not a traceback
        fd = out.fileno()
        for i in share:
            line = memoryview(_encode(i, scan_file(engine, files[i][0], hash_files)))
            while line:  # unbuffered: a worker killed later keeps the lines written so far
                line = line[os.write(fd, line) :]
    except BaseException:  # noqa: BLE001  (the parent reports the files it did not get)
        code = 70
    finally:
        os._exit(code)


def _encode(i: int, r: FileResult) -> bytes:
    row = {
        "i": i,
        "path": r.path,
        "size": r.size,
        "sha256": r.sha256,
        "verdict": r.verdict.value,
        "seconds": r.seconds,
        "findings": [f.to_json() for f in r.findings],
    }
    return json.dumps(row).encode() + b"\n"


def _decode(files: list[tuple[Path, int]], line: bytes) -> tuple[int, FileResult]:
    row = json.loads(line)
    i = int(row["i"])
    return i, FileResult(
        row["path"],
        int(row["size"]),
        row["sha256"],
        FileVerdict(row["verdict"]),
        tuple(Finding.from_json(f) for f in row["findings"]),
        float(row["seconds"]),
        fs_path=files[i][0],
    )


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit {os.waitstatus_to_exitcode(status)}"


def _lost(path: Path, size: int, why: str) -> FileResult:
    msg = f"scan worker stopped ({why}) before this file was done; not examined"
    return failed_file(escape_path(str(path)), path, Rule.HANDLER_ERROR, Verdict.ERROR, msg, size)
