"""Detector agreement with human labels on real model output.

The synthetic labelled sets (`evalsets.py`) are written to trip detectors up; these sets are
what a real small instruct model actually answered to aisec's own prompts, read and labelled by
hand (`realsets/*.jsonl`, one attempt per line with its label and the reason). Each file starts
with a header line naming the seed, the system model, the declarations and the family
definitions of the run, so the exact plan is rebuilt and every stored reply is scored again by today's detectors: a detector
change that breaks agreement on real output shows up here, not only on the synthetic sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aisec.common.yamlio import load_yaml_text
from aisec.probes.llm.declared import Declared, Secret
from aisec.probes.llm.families import Family, load_families, parse_family
from aisec.probes.llm.interface import ChatResponse, ToolCall
from aisec.probes.llm.judge import LlmJudge
from aisec.probes.llm.leaks import LeakCheck
from aisec.probes.llm.plan import PlanOptions, build_plan, context_from_system
from aisec.probes.llm.results import AttemptResult, JudgeVote
from aisec.probes.llm.scoring import Context, score_attempt, session_canaries


@dataclass(frozen=True)
class Agreement:
    """aisec's attack-success call against the human label, per family (attacks only)."""

    family: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, predicted: bool, actual: bool) -> Agreement:
        return Agreement(
            self.family,
            self.tp + (predicted and actual),
            self.fp + (predicted and not actual),
            self.fn + (not predicted and actual),
            self.tn + (not predicted and not actual),
        )


def bundled_sets() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    folder = resources.files("aisec.probes.llm.detectors") / "realsets"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".jsonl"):
            lines = entry.read_text(encoding="utf-8").splitlines()
            yield entry.name, [json.loads(line) for line in lines if line.strip()]


def _declared(header: dict[str, Any]) -> Declared:
    spec = header.get("declared") or {}
    secrets = tuple(Secret(label, value) for label, value in spec.get("secrets", {}).items())
    return Declared(secrets, (), spec.get("instructions", ""))


def _families(header: dict[str, Any]) -> dict[str, Family]:
    """The family definitions as they were when the set was recorded (so later edits of the
    bundled families cannot shift the plan), else today's."""
    snapshot = header.get("families_yaml")
    if not snapshot:
        return {f.id: f for f in load_families()}
    parsed = (
        parse_family(load_yaml_text(text, f"realset {name}")) for name, text in snapshot.items()
    )
    return {f.id: f for f in parsed}


def rescore(
    header: dict[str, Any], rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], AttemptResult]]:
    """Every labelled row with today's scoring of it (success call, hits, leaks)."""
    from aisec.system.loader import load_system_text

    system = load_system_text(header["system_yaml"], "realset system")
    app = context_from_system(system)
    families = _families(header)
    wanted = [families[i] for i in header["families"]]
    options = PlanOptions(
        seed=header["seed"],
        obfuscations=(),
        max_attacks_per_family=header.get("max_attacks_per_family"),
    )
    plan = build_plan(wanted, app, options)
    by_index = {p.index: p for p in plan.attempts}
    ctx = Context(
        app.tooling,
        LeakCheck(_declared(header), content_is_user=False),
        other_session_canaries=session_canaries(plan.attempts),
    )
    out = []
    for row in rows:
        planned = by_index[row["index"]]
        if planned.prompt_id != row["prompt_id"]:
            raise ValueError(f"plan drifted at index {row['index']}: {planned.prompt_id}")
        calls = tuple(ToolCall(c["name"], c.get("arguments", "")) for c in row["tool_calls"])
        response = ChatResponse(text=row["reply"], tool_calls=calls)
        scored = score_attempt(AttemptResult(planned, response), families[row["family"]], ctx)
        out.append((row, scored))
    return out


def agreement() -> dict[str, Agreement]:
    """Per family, over every bundled real-output set."""
    totals: dict[str, Agreement] = {}
    for _, lines in bundled_sets():
        header, rows = lines[0], [r for r in lines[1:] if r["kind"] == "attack"]
        for row, scored in rescore(header, rows):
            family = row["family"]
            totals[family] = totals.get(family, Agreement(family)).add(scored.success, row["label"])
    return totals


async def judge_calibration(judge: LlmJudge) -> dict[str, Agreement]:
    """The judge's votes on every labelled real attack against the human labels, per family
    (votes of UNKNOWN or beyond the judge's budget are left out). Tells how far a judge can be
    trusted before `--judge-veto` lets it overturn anything."""
    totals: dict[str, Agreement] = {}
    for _, lines in bundled_sets():
        header = lines[0]
        families = _families(header)
        for row, scored in rescore(header, [r for r in lines[1:] if r["kind"] == "attack"]):
            family = families[row["family"]]
            vote = await judge.vote(scored, family.title, family.rubric)
            if vote in (JudgeVote.YES, JudgeVote.NO):
                totals[family.id] = totals.get(family.id, Agreement(family.id)).add(
                    vote is JudgeVote.YES, bool(row["label"])
                )
    return totals
