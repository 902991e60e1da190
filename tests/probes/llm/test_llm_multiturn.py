"""Scripted multi-turn escalation: earlier turns get real replies that travel as history."""

from __future__ import annotations

import json
from pathlib import Path

from aisec.cli import main
from aisec.probes.finding import Verdict
from aisec.probes.llm import CallableTarget, ChatRequest, load_families, run_probes
from aisec.probes.llm.evidence import attempt_lines
from aisec.probes.llm.runner import ProbeOptions

FAMILY = [f for f in load_families() if f.id == "system-prompt-extraction"]


def test_each_turn_carries_the_real_history() -> None:
    seen: list[ChatRequest] = []

    def bot(request: ChatRequest) -> str:
        seen.append(request)
        return f"reply {len(request.history) // 2 + 1}"

    run = run_probes(CallableTarget(bot), FAMILY, None, ProbeOptions(seed=2, obfuscations=()))
    attempt = next(a for a in run.attempts if a.planned.prompt_id == "crescendo-setup")
    assert len(attempt.planned.turns) == 2
    conversation = [r for r in seen if r.history or r.user in attempt.planned.turns]
    final = next(r for r in conversation if len(r.history) == 4)
    assert [role for role, _ in final.history] == ["user", "assistant", "user", "assistant"]
    assert final.history[1][1] == "reply 1" and final.history[3][1] == "reply 2"
    assert attempt.history == final.history
    record = json.loads(next(line for line in attempt_lines(run) if "crescendo" in line))
    assert [h["role"] for h in record["request"]["history"]] == ["user", "assistant"] * 2
    assert len(record["request"]["turns"]) == 2


def test_escalation_against_reference_targets(
    vulnerable_url: str, hardened_url: str, tmp_path: Path
) -> None:
    for url, expected in ((vulnerable_url, True), (hardened_url, False)):
        out = tmp_path / "a.jsonl"
        main(
            ["probe", "--target", url, "--no-progress", "--only", "system-prompt-extraction"]
            + ["--obfuscations", "none", "--attempts", str(out)]
        )
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        row = next(r for r in rows if r["prompt_id"] == "crescendo-setup")
        assert len(row["request"]["history"]) == 4 and row["success"] is expected


def test_multi_turn_plan_is_target_independent() -> None:
    def one(text: str) -> str:
        run = run_probes(
            CallableTarget(lambda r: text), FAMILY, None, ProbeOptions(seed=3, obfuscations=())
        )
        from aisec.probes.llm.evidence import plan_hash

        assert run.families[0].verdict in (Verdict.PASS, Verdict.INCONCLUSIVE)
        return plan_hash(run)

    assert one("a") == one("b")
