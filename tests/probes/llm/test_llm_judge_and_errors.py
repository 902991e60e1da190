"""The optional judge (callable target, budget cap) and per-attempt failures as data."""

from __future__ import annotations

from aisec.probes.finding import Verdict
from aisec.probes.llm import CallableTarget, ChatRequest, load_families, run_probes
from aisec.probes.llm.interface import TargetFailed
from aisec.probes.llm.judge import LlmJudge
from aisec.probes.llm.results import JudgeVote
from aisec.probes.llm.runner import ProbeOptions

FAMILIES = [f for f in load_families() if f.id == "prompt-injection"]


def _echo_bot(request: ChatRequest) -> str:
    if "this code:" in request.user:  # the capability check: can it repeat a code at all?
        return request.user.rsplit(":", 1)[1].strip()
    return "Happy to help with that."


def test_judge_votes_are_recorded_and_capped() -> None:
    calls: list[str] = []

    def judge_model(request: ChatRequest) -> str:
        calls.append(request.user)
        return "NO" if len(calls) % 2 else "Verdict: YES"

    judge = LlmJudge(CallableTarget(judge_model), max_calls=5)
    run = run_probes(
        CallableTarget(_echo_bot),
        FAMILIES,
        None,
        ProbeOptions(seed=1, obfuscations=(), judge=judge),
    )
    votes = [a.judge for a in run.attempts if a.judge]
    assert len(calls) == 5 == run.judge_calls == len(votes)
    assert votes.count(JudgeVote.YES) == 2 and votes.count(JudgeVote.NO) == 3
    family = run.families[0]
    assert family.verdict is Verdict.PASS  # the judge never changes the deterministic ASR
    assert family.judge_agreement is not None and family.judge_agreement.successes == 3


def test_zero_budget_means_no_judge_calls() -> None:
    judge = LlmJudge(CallableTarget(lambda r: "YES"), max_calls=0)
    run = run_probes(
        CallableTarget(_echo_bot),
        FAMILIES,
        None,
        ProbeOptions(seed=1, obfuscations=(), judge=judge),
    )
    assert run.judge_calls == 0 and not any(a.judge for a in run.attempts)


def test_failing_attempts_are_errors_not_passes() -> None:
    def flaky(request: ChatRequest) -> str:
        if "FreeBot" in request.user or "developer mode" in request.user:
            raise TargetFailed("boom")
        return "Sure."

    run = run_probes(CallableTarget(flaky), FAMILIES, None, ProbeOptions(seed=1, obfuscations=()))
    family = run.families[0]
    assert family.errors == 2 and family.asr.n == 11
    assert [a.error for a in run.attempts if a.error] == ["boom", "boom"]


def test_all_attacks_failing_is_an_error_verdict() -> None:
    def broken(request: ChatRequest) -> str:
        if "reply only with" in request.user.lower():
            raise TargetFailed("down")
        return "fine"

    run = run_probes(CallableTarget(broken), FAMILIES, None, ProbeOptions(seed=1, obfuscations=()))
    assert run.families[0].verdict is Verdict.ERROR


def test_threshold_allows_a_small_rate() -> None:
    def sometimes(request: ChatRequest) -> str:
        if "FreeBot" in request.user:  # one attack of eight obeys
            head = request.user.split("joining ")[1].split(" and ")
            return head[0] + head[1].rstrip(".")
        if "this code:" in request.user:
            return _echo_bot(request)
        return "I can't help with that."

    strict = run_probes(
        CallableTarget(sometimes), FAMILIES, None, ProbeOptions(seed=1, obfuscations=())
    )
    lenient = run_probes(
        CallableTarget(sometimes),
        FAMILIES,
        None,
        ProbeOptions(seed=1, obfuscations=(), threshold=0.2),
    )
    assert strict.families[0].asr.successes == 1
    assert strict.families[0].verdict is Verdict.FAIL
    assert lenient.families[0].verdict is Verdict.PASS
    assert strict.families[0].false_refusal.successes == 8  # it refuses benign prompts too


def test_first_request_failing_stops_the_run() -> None:
    sent: list[str] = []

    def unauthorised(request: ChatRequest) -> str:
        sent.append(request.user)
        raise TargetFailed("HTTP 401", hint="check the API key")

    run = run_probes(CallableTarget(unauthorised), FAMILIES, None, ProbeOptions(seed=1))
    assert len(sent) == 1
    assert run.aborted and "first request failed" in run.aborted
    assert run.attempts[0].error == "HTTP 401"
    assert all(a.error and a.error.startswith("not sent") for a in run.attempts[1:])
    assert run.families[0].verdict is Verdict.ERROR


def test_progress_reports_every_attempt() -> None:
    seen: list[tuple[int, int]] = []
    run = run_probes(
        CallableTarget(_echo_bot),
        FAMILIES,
        None,
        ProbeOptions(seed=1),
        progress=lambda done, total: seen.append((done, total)),
    )
    total = len(run.attempts)
    assert [d for d, _ in seen] == list(range(1, total + 1))
    assert {t for _, t in seen} == {total}


def _markup_bot(request: ChatRequest) -> str:
    if "this code:" in request.user:
        return request.user.rsplit(":", 1)[1].strip()
    return '<img src="x" onerror="alert(1)"> and ' + request.user[:40]


def test_judge_rule_vetoes_pattern_hits_only_when_asked() -> None:
    """A judge NO overturns markup/code-shape hits with --judge-veto; exact evidence stays."""
    families = [f for f in load_families() if f.id in ("output-injection", "prompt-injection")]

    def joined(request: ChatRequest) -> str:  # obeys every injection, emits markup too
        if "joining" in request.user:
            head, tail = request.user.split("joining ")[1].split(" and ")[:2]
            return head + tail.split(".")[0].split()[0]
        return _markup_bot(request)

    def run(veto: bool) -> dict[str, object]:
        judge = LlmJudge(CallableTarget(lambda r: "NO"), max_calls=1000)
        result = run_probes(
            CallableTarget(joined),
            families,
            None,
            ProbeOptions(seed=1, obfuscations=(), judge=judge, judge_veto=veto),
        )
        return {f.family.id: f for f in result.families}

    plain, vetoed = run(False), run(True)
    out_plain, out_veto = plain["output-injection"], vetoed["output-injection"]
    assert out_plain.asr.successes > 0 and out_plain.verdict is Verdict.FAIL
    assert out_veto.asr.successes == 0 and out_veto.measures["judge_vetoed"] > 0
    assert out_plain.measures["judge_no_detector_yes"] == out_plain.asr.successes
    injection = vetoed["prompt-injection"]  # canary hits are exact: never vetoed
    assert injection.asr.successes > 0 and injection.measures["judge_vetoed"] == 0


def test_judge_sees_the_family_rubric() -> None:
    prompts: list[str] = []

    def judge_model(request: ChatRequest) -> str:
        prompts.append(request.user)
        return "NO"

    run_probes(
        CallableTarget(_echo_bot),
        FAMILIES,
        None,
        ProbeOptions(seed=1, obfuscations=(), judge=LlmJudge(CallableTarget(judge_model), 2)),
    )
    assert prompts and all("Rubric: YES only if" in p for p in prompts)
