"""Benchmark: LLM-probe throughput (attempts/s) at concurrency 1, 8 and 32, and garak beside it.

The reference target runs in its own process (`aisec probe serve-target`) so client and server
do not share an interpreter. When garak is available (`--garak-python PATH`, a `garak` script on
PATH, or this interpreter), the same number of attempts is run through garak's OpenAI-compatible
generator against the same target in the same run, at parallel_attempts 1, 8 and 32, and the
ratio of attempts/s is printed; then a detection comparison: garak's hit rate on its injection
probes against aisec's attack success rate per family. Otherwise the script says why garak is
not available. Run: `python bench/probe.py [--mode vulnerable|hardened] [--repeats N]
[--garak-python /tmp/garak-venv/bin/python]`. With `--real-target URL` it instead probes a
locally served model (see `bench/real_target.py`): attempts/s, ASR per family and agreement
with the hand-labelled real-output set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import garak_compare
from aisec.probes.llm import load_families, run_probes
from aisec.probes.llm.results import ProbeRun
from aisec.probes.llm.runner import ProbeOptions
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.system import load_system

ROOT = Path(__file__).resolve().parents[1]
SYSTEM = ROOT / "examples" / "email-agent.yaml"


def start_server(mode: str, latency_ms: float) -> tuple[str, subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from aisec.cli import main; main()",
            "probe",
            "serve-target",
            "--mode",
            mode,
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return json.loads(line)["url"], proc


def run_aisec(url: str, concurrency: int, repeats: int) -> tuple[ProbeRun, float]:
    families = [f for f in load_families() if f.id != "resource-exhaustion"]
    system = load_system(SYSTEM) if SYSTEM.exists() else None
    target = OpenAIChatTarget(url, "reference", api_key_env=None)
    start = time.perf_counter()
    run = run_probes(
        target, families, system, ProbeOptions(seed=1, concurrency=concurrency, repeats=repeats)
    )
    return run, time.perf_counter() - start


ROW = "  {:<6} {:<34} {:>4} {:>8} {:>8.2f} {:>10.1f} {:>8}"


def print_asr(run: ProbeRun) -> None:
    for family in run.families:
        asr = family.asr
        rate = f"{asr.successes}/{asr.n}" if asr.n else "n/a"
        print(
            f"  aisec  {family.family.id:<34} ASR {rate:>7}  "
            f"(95 % CI {asr.low:.2f}-{asr.high:.2f}), verdict {family.verdict.value}"
        )


def print_garak_hits(results: tuple[garak_compare.ProbeResult, ...]) -> None:
    for result in results:
        for detector, (hits, evaluated) in result.hits.items():
            print(f"  garak  {result.probe:<34} {detector}: hits {hits}/{evaluated}")
        if result.example:
            print(f"           example hit: {result.example}")


def compare_garak(args: argparse.Namespace, url: str, n: int, rates: dict[int, float]) -> None:
    """Same attempt count through garak, the throughput ratio, then its detection results."""
    try:
        garak = garak_compare.locate(args.garak_python)
        with tempfile.TemporaryDirectory(prefix="aisec-garak-") as tmp:
            garak_rates: dict[int, float] = {}
            wall_rates: dict[int, float] = {}
            for parallel in (1, 8, 32):
                run = garak_compare.run(
                    garak, url, [args.garak_probe], n, parallel, Path(tmp) / f"p{parallel}"
                )
                (result,) = run.probes
                seconds = result.seconds if result.seconds is not None else run.wall_s
                garak_rates[parallel] = result.attempts / seconds
                wall_rates[parallel] = result.attempts / run.wall_s
                print(
                    ROW.format(
                        "garak",
                        result.probe,
                        parallel,
                        result.attempts,
                        seconds,
                        garak_rates[parallel],
                        f"{run.wall_s:.2f}",
                    )
                )
            detect = garak_compare.run(
                garak, url, args.garak_detect.split(","), n, 1, Path(tmp) / "detect"
            )
    except garak_compare.GarakUnavailable as exc:
        print(f"garak not available: {exc}")
        return
    best_a = max(rates, key=rates.__getitem__)
    best_g = max(garak_rates, key=garak_rates.__getitem__)
    print(f"garak {garak.version} ({garak.python}); seconds = its probe phase, wall = process")
    print(f"  ratio aisec/garak attempts/s at concurrency 1: {rates[1] / garak_rates[1]:.2f}")
    print(
        f"  ratio at each tool's best (aisec concurrency {best_a}, garak parallel_attempts "
        f"{best_g}): {rates[best_a] / garak_rates[best_g]:.2f} on garak's probe phase, "
        f"{rates[best_a] / max(wall_rates.values()):.2f} on its whole process time"
    )
    print(
        f"detection on the same target ({args.mode}): garak hits = outputs its detector "
        "flagged (judge the example by eye); aisec = attack success rate per family"
    )
    print_garak_hits(run.probes + detect.probes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", default="vulnerable", choices=["vulnerable", "hardened"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=20.0,
        help="simulated model latency of the reference target",
    )
    parser.add_argument("--garak-python", help="interpreter of a venv where garak is installed")
    parser.add_argument("--garak-probe", default="encoding.InjectBase64", help="for throughput")
    parser.add_argument(
        "--garak-detect",
        default="promptinject.HijackHateHumans,latentinjection.LatentInjectionReport",
        help="garak probes (comma-separated) for the detection comparison",
    )
    parser.add_argument("--no-garak", action="store_true")
    parser.add_argument("--real-target", help="OpenAI-compatible URL of a locally served model")
    parser.add_argument("--system", default=str(SYSTEM), help="system model (real target)")
    parser.add_argument("--secrets", help="declared-secrets YAML (real target)")
    parser.add_argument("--only", help="comma-separated families (real target)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-attacks", type=int, help="sample N attacks per family (real target)")
    parser.add_argument("--budget", type=float, default=3600.0)
    parser.add_argument(
        "--timeout", type=float, help="per-request deadline (real target; default: measured)"
    )
    parser.add_argument("--dump", help="write the raw transcript for labelling (real target)")
    args = parser.parse_args()
    if args.real_target:
        import real_target

        return real_target.run(args)
    url, proc = start_server(args.mode, args.latency_ms)
    try:
        run_aisec(url, 8, 1)  # warm-up
        print(
            f"aisec probe vs reference target ({args.mode}, separate process, "
            f"{args.latency_ms:g} ms simulated latency), {args.repeats} repeat(s) of every prompt"
        )
        print(
            "  {:<6} {:<34} {:>4} {:>8} {:>8} {:>10} {:>8}".format(
                "tool", "probes", "conc", "attempts", "seconds", "attempts/s", "wall s"
            )
        )
        rates: dict[int, float] = {}
        runs: dict[int, ProbeRun] = {}
        for concurrency in (1, 8, 32):
            runs[concurrency], seconds = run_aisec(url, concurrency, args.repeats)
            n = len(runs[concurrency].attempts)
            rates[concurrency] = n / seconds
            label = f"{len(runs[concurrency].families)} families"
            print(ROW.format("aisec", label, concurrency, n, seconds, rates[concurrency], ""))
        if args.no_garak:
            print("garak not run (--no-garak)")
        else:
            compare_garak(args, url, n, rates)
        print_asr(runs[8])
        print(f"  (cpu count {os.cpu_count()}, python {sys.version.split()[0]})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
