"""Judge calibration: run the rubric judge over the labelled detector sets and measure it.

    python bench/judge_calibration.py --judge http://127.0.0.1:8768/v1 [--sets real,synthetic]
        [--judge-model M] [--max-calls N] [--max-tokens 8] [--json PATH|-]

For every labelled reply (the hand-labelled real-model attacks and the synthetic detector sets,
see `aisec.probes.llm.detectors.calibration`) the judge grades the reply against its family's
rubric. Printed per family: judge agreement with the labels, its true- and false-positive rate,
its disagreement with the deterministic detectors, and the effect the veto rule would have:
how many detector successes a judge NO would overturn (`--judge-veto`), how many of those the
labels say were right or wrong, and detector precision/recall before and after. A judge YES
never creates a success, so "judge YES, detector NO" can only be reported, never counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from aisec.probes.llm.detectors.calibration import (
    FamilyCalibration,
    Item,
    calibrate,
    real_items,
    synthetic_items,
)
from aisec.probes.llm.judge import LlmJudge
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.probes.llm.transport import TransportOptions


def _f(value: float | None) -> str:
    return "  – " if value is None else f"{value:.2f}"


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def as_dict(c: FamilyCalibration) -> dict[str, Any]:
    after = c.with_veto()
    return {
        "family": c.family,
        "sources": sorted(c.sources),
        "n": c.n,
        "judged": c.judged,
        "unjudged": c.unjudged,
        "judge": {"tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn},
        "agreement": c.agreement,
        "tpr": c.tpr,
        "fpr": c.fpr,
        "judge_yes_detector_no": c.yes_detector_no,
        "judge_no_detector_yes": c.no_detector_yes,
        "vetoes": c.vetoes,
        "vetoes_right": c.vetoes_right,
        "vetoes_wrong": c.vetoes_wrong,
        "detector": dict(
            zip(
                ("precision", "recall"),
                _pr(c.detector_tp, c.detector_fp, c.detector_fn),
                strict=True,
            )
        ),
        "detector_with_veto": dict(zip(("precision", "recall"), _pr(*after), strict=True)),
    }


def total(cals: dict[str, FamilyCalibration]) -> FamilyCalibration:
    out = FamilyCalibration("ALL")
    for c in cals.values():
        for name in (
            "n unjudged tp fp fn tn yes_detector_no no_detector_yes vetoes vetoes_wrong "
            "vetoes_right detector_tp detector_fp detector_fn"
        ).split():
            setattr(out, name, getattr(out, name) + getattr(c, name))
        out.sources |= c.sources
    return out


def print_table(cals: dict[str, FamilyCalibration]) -> None:
    head = (
        f"{'family':<26} {'n':>4} {'judged':>6} {'agree':>5} {'TPR':>5} {'FPR':>5} "
        f"{'J+D-':>4} {'J-D+':>4} {'veto':>4} {'ok':>3} {'bad':>3}  detector P/R -> with veto"
    )
    print(head)
    for c in [*sorted(cals.values(), key=lambda x: x.family), total(cals)]:
        p0, r0 = _pr(c.detector_tp, c.detector_fp, c.detector_fn)
        p1, r1 = _pr(*c.with_veto())
        print(
            f"{c.family:<26} {c.n:>4} {c.judged:>6} {_f(c.agreement):>5} {_f(c.tpr):>5} "
            f"{_f(c.fpr):>5} {c.yes_detector_no:>4} {c.no_detector_yes:>4} {c.vetoes:>4} "
            f"{c.vetoes_right:>3} {c.vetoes_wrong:>3}  {p0:.2f}/{r0:.2f} -> {p1:.2f}/{r1:.2f}"
        )
    print(
        "J+D-: judge YES, detector NO (reported only: a YES never creates a success); "
        "J-D+: judge NO, detector YES; veto: of those, what --judge-veto overturns (pattern "
        "hits only), ok/bad: overturned a detector false/true positive."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", required=True, help="OpenAI-compatible base URL of the judge")
    parser.add_argument("--judge-model", default="default")
    parser.add_argument("--api-key-env", default=None)
    parser.add_argument("--sets", default="real,synthetic", help="real, synthetic or both")
    parser.add_argument("--max-calls", type=int, default=1000)
    parser.add_argument("--max-tokens", type=int, default=8, help="the judge needs one word")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", dest="json_out", help="write the figures as JSON (- = stdout)")
    args = parser.parse_args(argv)
    sets = {s.strip() for s in args.sets.split(",") if s.strip()}
    if not sets or not sets <= {"real", "synthetic"}:
        parser.error("--sets takes real, synthetic or both (comma-separated)")
    items: list[Item] = []
    if "real" in sets:
        items += real_items()
    if "synthetic" in sets:
        items += synthetic_items()
    target = OpenAIChatTarget(
        args.judge,
        args.judge_model,
        api_key_env=args.api_key_env,
        transport=TransportOptions(timeout_s=args.timeout, retries=0),
        max_tokens=args.max_tokens,
        url_field="--judge",
    )
    judge = LlmJudge(target, args.max_calls)

    async def run() -> dict[str, FamilyCalibration]:
        try:
            return await calibrate(judge, items)
        finally:
            await judge.aclose()

    start = time.perf_counter()
    cals = asyncio.run(run())
    seconds = time.perf_counter() - start
    out = sys.stderr if args.json_out == "-" else sys.stdout
    stdout, sys.stdout = sys.stdout, out
    try:
        print(f"judge {args.judge}: {judge.calls} calls over {seconds:.0f} s ({len(items)} items)")
        print_table(cals)
    finally:
        sys.stdout = stdout
    if args.json_out:
        payload = {
            "judge": args.judge,
            "items": len(items),
            "calls": judge.calls,
            "seconds": round(seconds, 1),
            "families": [as_dict(c) for c in sorted(cals.values(), key=lambda x: x.family)],
            "total": as_dict(total(cals)),
        }
        text = json.dumps(payload, indent=2)
        if args.json_out == "-":
            print(text)
        else:
            with open(args.json_out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
