"""Benchmark: LLM-probe throughput (attempts/s) at concurrency 1, 8 and 32.

The reference target runs in its own process (`aisec probe serve-target`) so client and server
do not share an interpreter. When garak is installed, the same number of attempts is run through
garak's OpenAI-compatible generator against the same target and the ratio is printed; otherwise
the script says so. Run: `python bench/probe.py [--mode vulnerable|hardened] [--repeats N]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aisec.probes.llm import load_families, run_probes
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


def run_aisec(url: str, concurrency: int, repeats: int) -> tuple[int, float]:
    families = [f for f in load_families() if f.id != "resource-exhaustion"]
    system = load_system(SYSTEM) if SYSTEM.exists() else None
    target = OpenAIChatTarget(url, "reference", api_key_env=None)
    start = time.perf_counter()
    run = run_probes(
        target, families, system, ProbeOptions(seed=1, concurrency=concurrency, repeats=repeats)
    )
    return len(run.attempts), time.perf_counter() - start


def run_garak(url: str, attempts: int) -> float | None:
    """Seconds garak needs for about `attempts` prompts, or None when garak is absent."""
    if importlib.util.find_spec("garak") is None:
        return None
    probes = "promptinject.HijackHateHumans"  # a prompt-injection probe with many prompts
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "gen.json"
        config.write_text(
            json.dumps(
                {
                    "openai": {
                        "OpenAICompatible": {
                            "uri": url,
                            "model": "reference",
                            "api_key": "unused",
                            "suppressed_params": [],
                        }
                    }
                }
            )
        )
        env = {**os.environ, "OPENAICOMPATIBLE_API_KEY": "unused"}
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "garak",
                "--model_type",
                "openai.OpenAICompatible",
                "--model_name",
                "reference",
                "--generator_option_file",
                str(config),
                "--probes",
                probes,
                "--generations",
                "1",
                "--parallel_attempts",
                "8",
                "--report_prefix",
                str(Path(tmp) / "g"),
            ],
            env=env,
            check=False,
            capture_output=True,
            timeout=1800,
        )
        return time.perf_counter() - start


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
    args = parser.parse_args()
    url, proc = start_server(args.mode, args.latency_ms)
    try:
        run_aisec(url, 8, 1)  # warm-up
        print(
            f"aisec probe vs reference target ({args.mode}, separate process, "
            f"{args.latency_ms:g} ms simulated latency), {args.repeats} repeat(s) of every prompt"
        )
        rates = {}
        for concurrency in (1, 8, 32):
            n, seconds = run_aisec(url, concurrency, args.repeats)
            rates[concurrency] = n / seconds
            print(
                f"  concurrency {concurrency:>2}: {n} attempts in {seconds:6.2f} s = "
                f"{rates[concurrency]:7.1f} attempts/s"
            )
        garak_s = run_garak(url, n)
        if garak_s is None:
            print("garak not installed")
        else:
            aisec_s = n / rates[8]
            print(
                f"  garak: {garak_s:.2f} s for about {n} attempts; ratio garak/aisec "
                f"time at concurrency 8 = {garak_s / aisec_s:.1f}"
            )
        print(f"  (cpu count {os.cpu_count()}, python {sys.version.split()[0]})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
