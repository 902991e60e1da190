"""`bench/probe.py --real-target URL`: probe a locally served real model and measure it.

Prints attempts/s, the attack success rate and verdict per family, the leak check, and the
agreement of aisec's per-attempt success calls with the hand-labelled real-output sets when the
run's attempts are labelled (same seed, families and system as a bundled set). `--dump FILE`
writes the raw transcript (unredacted: only for the fictional secrets of a test app) with a
header line in the bundled-set format, ready to be labelled.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from aisec.probes.llm import load_families, run_probes
from aisec.probes.llm.declared import Declared, load_declared
from aisec.probes.llm.declared_system import declared_from_system, merge
from aisec.probes.llm.detectors.realset import Agreement, bundled_sets
from aisec.probes.llm.pacing import CALIBRATION_TIMEOUT_S
from aisec.probes.llm.results import ProbeRun
from aisec.probes.llm.runner import ProbeOptions
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.probes.llm.transport import TransportOptions
from aisec.system import load_system


def _header(run: ProbeRun, system: Path, families: list[str], declared: Declared) -> dict[str, Any]:
    return {
        "seed": run.seed,
        "target": run.target,
        "families": families,
        "max_attacks_per_family": run.settings.get("max_attacks_per_family"),
        "system_yaml": system.read_text(encoding="utf-8"),
        "declared": {
            "secrets": {s.label: s.value for s in declared.secrets},
            "instructions": declared.instructions,
        },
    }


def dump(run: ProbeRun, path: Path, header: dict[str, Any]) -> None:
    lines = [json.dumps(header)]
    for a in run.attempts:
        if a.response is None:
            continue
        lines.append(
            json.dumps(
                {
                    "index": a.planned.index,
                    "family": a.planned.family,
                    "prompt_id": a.planned.prompt_id,
                    "kind": a.planned.kind.value,
                    "user": a.planned.request.user,
                    "reply": a.response.text,
                    "tool_calls": [
                        {"name": c.name, "arguments": c.arguments} for c in a.response.tool_calls
                    ],
                    "aisec": a.success,
                    "hits": [f"{h.detector.value}:{h.kind}" for h in (*a.hits, *a.leaks)],
                    "label": None,
                    "why": "",
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def agreement_with_labels(run: ProbeRun) -> dict[str, Agreement]:
    """Compare this run's success calls with labelled rows of the same target and seed."""
    totals: dict[str, Agreement] = {}
    mine = {a.planned.index: a for a in run.attempts}
    for _, lines in bundled_sets():
        header = lines[0]
        if header["seed"] != run.seed or header["target"] != run.target:
            continue
        for row in lines[1:]:
            attempt = mine.get(row["index"])
            if row["kind"] != "attack" or attempt is None or attempt.response is None:
                continue
            family = row["family"]
            totals[family] = totals.get(family, Agreement(family)).add(
                attempt.success, bool(row["label"])
            )
    return totals


def run(args: Any) -> int:
    families = [f for f in load_families() if not args.only or f.id in args.only.split(",")]
    system_path = Path(args.system)
    system = load_system(system_path)
    declared = merge(  # the system model's must_not_disclose, then --secrets
        declared_from_system(system, system_path, args.real_target),
        load_declared(Path(args.secrets)) if args.secrets else Declared(),
        last_instructions_win=True,
    )
    target = OpenAIChatTarget(
        args.real_target,
        "real",
        api_key_env=None,
        transport=TransportOptions(timeout_s=args.timeout or CALIBRATION_TIMEOUT_S),
    )
    start = time.perf_counter()
    result = run_probes(
        target,
        families,
        system,
        ProbeOptions(
            seed=args.seed,
            obfuscations=(),
            declared=declared,
            budget_s=args.budget,
            timeout_s=args.timeout,
            max_attacks_per_family=args.max_attacks,
        ),
    )
    seconds = time.perf_counter() - start
    done = sum(1 for a in result.attempts if a.ok)
    print(f"real target {result.target}: {done}/{len(result.attempts)} attempts completed")
    if result.aborted:
        print(f"  stopped early: {result.aborted}")
    print(
        f"  {done / seconds:.3f} attempts/s over {seconds:.0f} s; pacing {result.settings['pacing']}"
    )
    for family in result.families:
        asr = family.asr
        why = "; ".join(family.inconclusive_reasons)
        print(
            f"  {family.family.id:<28} ASR {asr.successes}/{asr.n} "
            f"(95 % CI {asr.low:.2f}-{asr.high:.2f}) {family.verdict.value} {why}"
        )
    print(f"  leak check: {len(result.leaked)} replies leaked outside their family's goal")
    agree = agreement_with_labels(result)
    if agree:
        print("detector agreement with the labelled real-output set (attacks):")
        for a in sorted(agree.values(), key=lambda x: x.family):
            print(
                f"  {a.family:<28} n {a.n:>3}  TP {a.tp} FP {a.fp} FN {a.fn} TN {a.tn}  "
                f"precision {a.precision:.2f} recall {a.recall:.2f}"
            )
    else:
        print("no labelled real-output set matches this target and seed")
    if args.dump:
        names = [f.id for f in families]
        dump(result, Path(args.dump), _header(result, system_path, names, declared))
        print(f"wrote {args.dump}")
    return 0
