"""Start-up time of the CLI (issue 17: `aisec --help` and `aisec threats X` under 0.3 s).

    python bench/startup.py [--runs 10] [--importtime] [--no-bytecode-cache]

Runs each command in a fresh interpreter `--runs` times (like hyperfine) and prints min, median
and max wall time. Children get a bytecode cache in a temporary folder and one warm-up run, as an
installed package ships its .pyc files; with PYTHONDONTWRITEBYTECODE=1 (set on some build
machines) aisec's ~35-70 modules would be compiled from source on every start, +0.1-0.2 s that
users never pay (`--no-bytecode-cache` measures that case). The machine's load matters: compare min values, and run it on an idle
machine (the cpu column, user+system time of the child, is less load-sensitive). `--importtime` also prints the ten slowest imports of each command
(`python -X importtime`), the place to look when a command gets slower.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

EXAMPLE = str(resources.files("aisec").joinpath("examples", "email-agent.yaml"))
COMMANDS = {
    "aisec --help": ["--help"],
    "aisec --version": ["--version"],
    "aisec threats EXAMPLE": ["threats", EXAMPLE],
    "aisec catalog list threats": ["catalog", "list", "threats"],
    "aisec scan --help": ["scan", "--help"],
    "aisec scan small.pkl": ["scan", "SMALL_PKL"],
}
TARGET_S = 0.3
TARGETS = {"aisec scan small.pkl": 0.25}  # issue 15; the others: issue 17's 0.3 s
ENV = dict(os.environ)


def _use_bytecode_cache(folder: str) -> None:
    """Let children write and reuse .pyc files in `folder` (never in the source tree)."""
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = folder


def _small_pickle(folder: str) -> str:
    """A tiny benign pickle (a dict of floats) for the scan row."""
    path = Path(folder) / "small.pkl"
    path.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}, protocol=4))  # writes, never loads
    return str(path)


def _argv(args: list[str], *, importtime: bool = False) -> list[str]:
    flags = ["-X", "importtime"] if importtime else []
    return [sys.executable, *flags, "-m", "aisec", *args]


def time_command(args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds user+system) per run; CPU time is far less load-sensitive."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(_argv(args), capture_output=True, check=False, env=ENV)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def slowest_imports(args: list[str], top: int = 10) -> list[tuple[int, str]]:
    run = subprocess.run(
        _argv(args, importtime=True), capture_output=True, text=True, check=False, env=ENV
    )
    rows = []
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|", 2)
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--no-bytecode-cache", action="store_true")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="aisec-startup-")
    if not args.no_bytecode_cache:
        _use_bytecode_cache(work)
    small = _small_pickle(work)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'command':30} {'min':>6} {'median':>7} {'max':>6} {'cpu':>6}  (s, {args.runs} runs)")
    for label, template in COMMANDS.items():
        argv = [small if a == "SMALL_PKL" else a for a in template]
        time_command(argv, 1)  # warm-up: writes the bytecode cache
        walls, cpus = time_command(argv, args.runs)
        best = min(walls)
        target = TARGETS.get(label, TARGET_S)
        mark = "ok" if best < target else f"over {target}s"
        print(
            f"{label:30} {best:6.3f} {statistics.median(walls):7.3f} {max(walls):6.3f} "
            f"{min(cpus):6.3f}  {mark}"
        )
        if args.importtime:
            for micros, name in slowest_imports(argv):
                print(f"    {micros / 1e6:6.3f}s  {name}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
