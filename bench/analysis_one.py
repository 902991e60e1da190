"""CPU cost of one system's full analysis, per stage, for each bundled example.

    python bench/analysis_one.py [--runs 20] [--repeats 5] [--gc-freeze] [NAME ...]

What the team server does for every saved or re-assessed revision (`store.assessing.run_text`:
parse the YAML, analyse, compute every framework crosswalk and the AI Act obligations, serialise
and compress the stored result), split into stages. Each figure is CPU milliseconds per run
(`time.process_time`), the best of `--repeats` blocks of `--runs` runs, so other processes on a
shared machine inflate it less than wall time. "rest" is what `run_text` spends outside the
listed stages (manifest hashes, JSON serialisation, zlib). `--gc-freeze` moves the start-up
objects out of the garbage collector's view first (what a long-lived worker can do).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from aisec.analysis.assess import assess
from aisec.reports.compliance import compliance_sections
from aisec.service import get_catalog
from aisec.store.assessing import parse_assessment_text, parse_system_text, run_text

NOW = datetime(2026, 11, 26, tzinfo=UTC)
EXAMPLES = (
    "email-agent",
    "rag-assistant",
    "fraud-classifier",
    "recommender",
    "vendor-finetune-api",
)


def best_ms(call: Callable[[], Any], runs: int, repeats: int) -> float:
    """CPU ms per call: the best of `repeats` blocks of `runs` calls (after one warm-up call)."""
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(runs):
            call()
        best = min(best, (time.process_time() - start) / runs * 1000)
    return best


def stages(name: str, runs: int, repeats: int) -> dict[str, float]:
    system_text, assessment_text = _texts(name)
    catalog = get_catalog()
    system = parse_system_text(system_text)
    assessment = parse_assessment_text(assessment_text, catalog) if assessment_text else None
    result = assess(catalog, system, assessment, NOW)
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    out = {
        "parse system": best_ms(lambda: parse_system_text(system_text), runs, repeats),
        "parse assessment": best_ms(
            lambda: parse_assessment_text(assessment_text, catalog) if assessment_text else None,
            runs,
            repeats,
        ),
        "assess": best_ms(lambda: assess(catalog, system, assessment, NOW), runs, repeats),
        "compliance": best_ms(
            lambda: compliance_sections(catalog, system, assessment, applicable, result.controls),
            runs,
            repeats,
        ),
        "run_text": best_ms(lambda: run_text(system_text, assessment_text, now=NOW), runs, repeats),
    }
    out["rest"] = out["run_text"] - sum(v for k, v in out.items() if k != "run_text")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(EXAMPLES))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gc-freeze", action="store_true")
    args = parser.parse_args()
    if args.gc_freeze:
        run_text(*_texts(args.names[0]), now=NOW)  # warm caches, then freeze what start-up made
        gc.freeze()
    columns = ("parse system", "parse assessment", "assess", "compliance", "rest", "run_text")
    print(f"{'CPU ms per run':22s}" + "".join(f"{c:>18s}" for c in columns))
    for name in args.names:
        row = stages(name, args.runs, args.repeats)
        print(f"{name:22s}" + "".join(f"{row[c]:18.1f}" for c in columns))


def _texts(name: str) -> tuple[str, str | None]:
    folder = resources.files("aisec.examples")
    assessment = folder.joinpath(f"{name}.assessment.yaml")
    return (
        folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"),
        assessment.read_text(encoding="utf-8") if assessment.is_file() else None,
    )


if __name__ == "__main__":
    main()
