"""Start-up time of the CLI (issue 17: `aisec --help` and `aisec threats X` under 0.3 s).

    python bench/startup.py [--runs 10] [--importtime]

Runs each command in a fresh interpreter `--runs` times (like hyperfine) and prints min, median
and max wall time. The machine's load matters: compare min values, and run it on an idle
machine (the cpu column, user+system time of the child, is less load-sensitive). `--importtime` also prints the ten slowest imports of each command
(`python -X importtime`), the place to look when a command gets slower.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from importlib import resources

EXAMPLE = str(resources.files("aisec").joinpath("examples", "email-agent.yaml"))
COMMANDS = {
    "aisec --help": ["--help"],
    "aisec --version": ["--version"],
    "aisec threats EXAMPLE": ["threats", EXAMPLE],
    "aisec catalog list threats": ["catalog", "list", "threats"],
    "aisec scan --help": ["scan", "--help"],
}
TARGET_S = 0.3


def _argv(args: list[str], *, importtime: bool = False) -> list[str]:
    flags = ["-X", "importtime"] if importtime else []
    return [sys.executable, *flags, "-m", "aisec", *args]


def time_command(args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds user+system) per run; CPU time is far less load-sensitive."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(_argv(args), capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def slowest_imports(args: list[str], top: int = 10) -> list[tuple[int, str]]:
    run = subprocess.run(_argv(args, importtime=True), capture_output=True, text=True, check=False)
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
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'command':30} {'min':>6} {'median':>7} {'max':>6} {'cpu':>6}  (s, {args.runs} runs)")
    for label, argv in COMMANDS.items():
        walls, cpus = time_command(argv, args.runs)
        best = min(walls)
        mark = "ok" if best < TARGET_S else f"over {TARGET_S}s"
        print(
            f"{label:30} {best:6.3f} {statistics.median(walls):7.3f} {max(walls):6.3f} "
            f"{min(cpus):6.3f}  {mark}"
        )
        if args.importtime:
            for micros, name in slowest_imports(argv):
                print(f"    {micros / 1e6:6.3f}s  {name}")


if __name__ == "__main__":
    main()
