"""Scan jobs on the team server's PostgreSQL queue, worked by 1 and then 2 `aisec worker` processes.

Issue 10: when one machine is not enough, `aisec worker` processes take scan/probe/mltest jobs
from the server's queue and post their evidence back. This bench queues the same scan jobs twice
(each on a fresh database) and reports how long N workers take to drain the queue, jobs per
second, and which worker took how many jobs. Every job posts its evidence back, so each one also
costs the server an analysis (a new assessment revision).

    python bench/workers.py [--jobs 16] [--mb 8] [--workers 1,2]

Needs PostgreSQL 15 binaries (a throwaway cluster is started under a temporary folder). On this
2-core machine two workers can at best double the rate; the server's analyses share the cores.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aisec.service import bundled_examples  # noqa: E402
from server import scratch_postgres, seed, start_server  # noqa: E402

WS = "/api/v1/workspaces/bench"


def make_models(folder: Path, count: int, megabytes: float) -> list[Path]:
    """Benign opcode-rich pickles (lists of small tuples): scanning them is real walker work."""
    folder.mkdir(parents=True, exist_ok=True)
    per_item = 12  # bytes per (int, float) tuple in protocol 4, roughly
    items = int(megabytes * 1024 * 1024 / per_item)
    paths = []
    for i in range(count):
        path = folder / f"model{i:03d}.pkl"
        path.write_bytes(pickle.dumps([(j, j / 7) for j in range(i, i + items)], protocol=4))
        paths.append(path)
    return paths


def _fresh_db(url: str, name: str) -> str:
    """A new database on the scratch cluster (each round starts from an empty queue)."""
    base, _, _ = url.rpartition("/")
    port = base.rsplit(":", 1)[1]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-c", f"create database {name}"],
        check=True,
        capture_output=True,
    )
    return f"{base}/{name}"


def one_round(url: str, tmp: Path, workers: int, models: list[Path]) -> dict[str, Any]:
    token = seed(url, 5, 1)[0]
    proc, base = start_server(url, tmp)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
            jobs = []
            slugs = [f"{sid}-{i:04d}" for i, (sid, _, _) in enumerate(bundled_examples())]
            for i, path in enumerate(models):
                system = slugs[i % len(slugs)]
                r = c.post(
                    f"{WS}/jobs",
                    json={"kind": "scan", "params": {"system": system, "args": [str(path)]}},
                )
                r.raise_for_status()
                jobs.append(r.json()["id"])
            t0 = time.perf_counter()
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "aisec", "worker", "--db", url, "--once"]
                    + ["--name", f"w{n}"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for n in range(1, workers + 1)
            ]
            for p in procs:
                p.wait(timeout=1800)
            seconds = time.perf_counter() - t0
            done = [c.get(f"{WS}/jobs/{j}").json() for j in jobs]
    finally:
        proc.terminate()
        proc.wait(10)
    statuses = Counter(j["status"] for j in done)
    return {
        "workers": workers,
        "jobs": len(jobs),
        "seconds": round(seconds, 1),
        "jobs_per_s": round(len(jobs) / seconds, 2),
        "status": dict(statuses),
        "taken_by": dict(Counter(j["worker"] for j in done)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--mb", type=float, default=8.0, help="size of each model file")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aisec-bench-workers-"))
    stop: list[str] = []
    try:
        os.chmod(tmp, 0o755)  # the cluster runs as the postgres user when we are root
        (tmp / "pg").mkdir()
        url, stop = scratch_postgres(tmp / "pg")
        models = make_models(tmp / "models", args.jobs, args.mb)
        load = os.getloadavg()[0]
        print(f"load average before the run: {load:.1f} on {os.cpu_count()} CPUs")
        print(f"{args.jobs} scan jobs of {args.mb:g} MB pickles each, queued before workers start")
        base_rate = None
        for n, workers in enumerate(int(w) for w in args.workers.split(",")):
            row = one_round(_fresh_db(url, f"round{n}"), tmp, workers, models)
            base_rate = base_rate or row["jobs_per_s"]
            row["speed_up"] = round(row["jobs_per_s"] / base_rate, 2)
            print(
                f"  {row['workers']} worker(s): {row['seconds']} s, {row['jobs_per_s']} jobs/s "
                f"(x{row['speed_up']}), status {row['status']}, taken by {row['taken_by']}"
            )
        print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    finally:
        if stop:
            subprocess.run(stop, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
