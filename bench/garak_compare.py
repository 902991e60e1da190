"""Run garak against the same reference target as the aisec benchmark, for a fair comparison.

garak is heavy (torch, transformers) and is never a dependency of aisec: it is looked for in an
interpreter given by the user (`--garak-python /tmp/garak-venv/bin/python`), in a `garak` script
on PATH, or in the current interpreter, and run as a subprocess. Only its OpenAI-compatible REST
generator and string-matching detectors are used, with the Hugging Face libraries forced
offline, so nothing is downloaded. Attempts and hits are read from garak's report JSONL; the
probe-phase time is read from garak's log (its interpreter start-up and plugin loading, about
2-3 s, are excluded; the wall time is kept as well).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_LOG_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*?"
    r"(?:probe start for garak\.probes\.(\S+)|probe return: <garak\.probes\.(\S+) object)"
)
HIT_THRESHOLD = 0.5  # garak's default eval_threshold


class GarakUnavailable(Exception):
    """garak cannot be found or did not produce a report; the message says why."""


@dataclass(frozen=True)
class Garak:
    python: str
    version: str


@dataclass(frozen=True)
class ProbeResult:
    probe: str
    attempts: int
    seconds: float | None  # probe phase, from garak's log
    hits: dict[str, tuple[int, int]]  # detector -> (hits, outputs evaluated)
    example: str | None  # one hit: trigger and the start of the output, to judge it by eye


@dataclass(frozen=True)
class GarakRun:
    parallel: int
    wall_s: float
    probes: tuple[ProbeResult, ...]


def locate(garak_python: str | None) -> Garak:
    """The interpreter that can `import garak`, or GarakUnavailable with the reason."""
    candidates: list[str] = []
    if garak_python:
        candidates.append(garak_python)
    else:
        script = shutil.which("garak")
        if script:
            first = Path(script).read_text(errors="replace").splitlines()[:1]
            if first and first[0].startswith("#!"):
                candidates.append(first[0][2:].strip().split()[0])
        if importlib.util.find_spec("garak") is not None:
            candidates.append(sys.executable)
    if not candidates:
        raise GarakUnavailable("not importable here, no garak on PATH, no --garak-python given")
    reasons = []
    for python in candidates:
        try:
            done = subprocess.run(
                [python, "-c", "import importlib.metadata as m; print(m.version('garak'))"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except OSError as exc:
            reasons.append(f"{python}: {exc}")
            continue
        if done.returncode == 0:
            return Garak(python, done.stdout.strip())
        lines = done.stderr.strip().splitlines()
        reasons.append(f"{python}: {lines[-1] if lines else 'import failed'}")
    raise GarakUnavailable("; ".join(reasons))


def _config(url: str, prompts: int, parallel: int, report_dir: Path) -> dict[str, object]:
    return {
        "system": {"parallel_attempts": parallel if parallel > 1 else False, "lite": True},
        "run": {"generations": 1, "soft_probe_prompt_cap": prompts, "seed": 1},
        "plugins": {
            "target_type": "openai.OpenAICompatible",
            "target_name": "reference",
            "generators": {
                "openai": {
                    "OpenAICompatible": {"uri": url, "api_key": "unused", "suppressed_params": []}
                }
            },
        },
        "reporting": {
            "report_dir": str(report_dir),
            "report_prefix": "garak",
            "confidence_interval_method": "none",
        },
    }


def _probe_seconds(log: Path) -> dict[str, float]:
    starts: dict[str, datetime] = {}
    seconds: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        match = _LOG_LINE.match(line)
        if not match:
            continue
        stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
        if match.group(2):
            starts[match.group(2)] = stamp
        elif match.group(3) in starts:
            seconds[match.group(3)] = (stamp - starts[match.group(3)]).total_seconds()
    return seconds


def _example(entry: dict[str, object]) -> str:
    notes = entry.get("notes")
    triggers = notes.get("triggers") if isinstance(notes, dict) else None
    outputs = entry.get("outputs")
    text = outputs[0].get("text") if isinstance(outputs, list) and outputs else None
    return f"trigger {triggers!r} in output {str(text)[:70]!r}"


def _read_report(report: Path, seconds: dict[str, float]) -> tuple[ProbeResult, ...]:
    attempts: dict[str, int] = {}
    hits: dict[str, dict[str, tuple[int, int]]] = {}
    examples: dict[str, str] = {}
    for line in report.read_text(errors="replace").splitlines():
        entry = json.loads(line)
        kind = entry.get("entry_type")
        if kind == "attempt" and entry.get("status") == 2:
            probe = entry["probe_classname"]
            attempts[probe] = attempts.get(probe, 0) + 1
            scores = [s for v in entry.get("detector_results", {}).values() for s in v if s]
            if probe not in examples and any(s >= HIT_THRESHOLD for s in scores):
                examples[probe] = _example(entry)
        elif kind == "eval":
            evaluated = int(entry["total_evaluated"])
            pair = (evaluated - int(entry["passed"]), evaluated)
            hits.setdefault(entry["probe"], {})[entry["detector"]] = pair
    return tuple(
        ProbeResult(p, n, seconds.get(p), hits.get(p, {}), examples.get(p))
        for p, n in attempts.items()
    )


def run(
    garak: Garak, url: str, probes: Sequence[str], prompts: int, parallel: int, workdir: Path
) -> GarakRun:
    """Run `probes` (garak names, e.g. "encoding.InjectBase64"), `prompts` each at most."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "config.json"
    config.write_text(json.dumps(_config(url, prompts, parallel, workdir / "runs")))
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "OPENAICOMPATIBLE_API_KEY": "unused",
        "XDG_DATA_HOME": str(workdir / "data"),  # garak.log of this run only
        "XDG_CONFIG_HOME": str(workdir.parent / "config"),
        "XDG_CACHE_HOME": str(workdir.parent / "cache"),  # plugin cache shared across runs
    }
    command = [garak.python, "-m", "garak", "--config", str(config)]
    command += ["--spec", ",".join(f"probes.{p}" for p in probes)]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=1800, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise GarakUnavailable("garak run exceeded 30 minutes") from exc
    wall = time.perf_counter() - start
    report = workdir / "runs" / "garak.report.jsonl"
    if done.returncode != 0 or not report.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise GarakUnavailable(f"garak exited {done.returncode}: {' | '.join(tail)}")
    seconds = _probe_seconds(workdir / "data" / "garak" / "garak.log")
    return GarakRun(parallel, wall, _read_report(report, seconds))
