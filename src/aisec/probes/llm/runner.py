"""The probe service: plan, send concurrently, score, aggregate. No CLI or I/O here.

`run_probes(target, families, system, options)` is what the CLI and (later) the web app call.
The first request is sent alone as a reachability and configuration check, so an unreachable
or misconfigured target fails fast (`TargetUnreachable` / `ProbeError`); after that, failures of single attempts are recorded as errors next to
the results and excluded from the rates, never counted as passes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aisec.common.errors import ProbeError
from aisec.probes.finding import Verdict
from aisec.probes.llm.families import Family
from aisec.probes.llm.interface import Target, TargetUnreachable
from aisec.probes.llm.judge import LlmJudge
from aisec.probes.llm.obfuscation import Obfuscation
from aisec.probes.llm.plan import (
    AppContext,
    PlannedAttempt,
    PlanOptions,
    build_plan,
    context_from_system,
)
from aisec.probes.llm.results import AttemptResult, FamilyResult, JudgeVote, ProbeRun
from aisec.probes.llm.scoring import score_family
from aisec.probes.llm.stats import Rate, wilson
from aisec.system.schema import AISystem

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ProbeOptions:
    seed: int = 0
    concurrency: int = 8
    repeats: int = 1
    obfuscations: tuple[Obfuscation, ...] | None = None
    max_attacks_per_family: int | None = None
    threshold: float | None = None  # overrides each family's threshold
    judge: LlmJudge | None = None


async def _send(target: Target, planned: PlannedAttempt) -> AttemptResult:
    try:
        response = await target.send(planned.request)
    except TargetUnreachable as exc:
        return AttemptResult(planned, None, error=f"unreachable: {exc.message}")
    except ProbeError as exc:
        return AttemptResult(planned, None, error=exc.message)
    return AttemptResult(planned, response)


async def _execute(
    target: Target, attempts: Sequence[PlannedAttempt], concurrency: int, progress: Progress | None
) -> list[AttemptResult]:
    if not attempts:
        return []
    total, done = len(attempts), 0
    first = attempts[0]
    try:
        response = await target.send(first.request)
    except TargetUnreachable:
        raise
    except ProbeError as exc:  # a failing first request means a misconfigured target
        raise ProbeError(
            f"the first request failed, nothing else was sent: {exc.message}",
            hint=exc.hint or "check --target, --model and the API key",
        ) from None
    results: dict[int, AttemptResult] = {first.index: AttemptResult(first, response)}
    done = 1
    if progress:
        progress(done, total)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(planned: PlannedAttempt) -> None:
        nonlocal done
        async with gate:
            results[planned.index] = await _send(target, planned)
        done += 1
        if progress:
            progress(done, total)

    await asyncio.gather(*(one(p) for p in attempts[1:]))
    return [results[p.index] for p in attempts]


async def _judge_all(
    judge: LlmJudge, results: list[AttemptResult], goals: dict[str, str]
) -> list[AttemptResult]:
    out = []
    for result in results:
        if result.is_attack and result.ok:
            vote = await judge.vote(result, goals[result.planned.family])
            result = replace(result, judge=vote)
        out.append(result)
    return out


def _agreement(results: Sequence[AttemptResult]) -> Rate | None:
    judged = [r for r in results if r.judge in (JudgeVote.YES, JudgeVote.NO)]
    if not judged:
        return None
    agree = sum((r.judge is JudgeVote.YES) == r.success for r in judged)
    return wilson(agree, len(judged))


async def arun_probes(
    target: Target,
    families: Sequence[Family],
    system: AISystem | None,
    options: ProbeOptions,
    progress: Progress | None = None,
) -> ProbeRun:
    started, clock = datetime.now(UTC), time.perf_counter()
    app = context_from_system(system) if system else AppContext()
    plan = build_plan(
        list(families),
        app,
        PlanOptions(
            seed=options.seed,
            repeats=options.repeats,
            obfuscations=options.obfuscations,
            max_attacks_per_family=options.max_attacks_per_family,
        ),
    )
    raw = await _execute(target, plan.attempts, options.concurrency, progress)
    skipped = dict(plan.skipped)
    all_results: list[AttemptResult] = []
    family_results: list[FamilyResult] = []
    for family in families:
        if family.id in skipped:
            family_results.append(
                FamilyResult(
                    family=family,
                    verdict=Verdict.NOT_SCANNED,
                    asr=wilson(0, 0),
                    false_refusal=wilson(0, 0),
                    skipped_reason=skipped[family.id],
                )
            )
            continue
        mine = [r for r in raw if r.planned.family == family.id]
        scored, summary = score_family(family, mine, app.tooling, options.threshold)
        if options.judge:
            scored = await _judge_all(options.judge, scored, {family.id: family.title})
            summary = replace(summary, judge_agreement=_agreement(scored))
        all_results.extend(scored)
        family_results.append(summary)
    all_results.sort(key=lambda r: r.planned.index)
    return ProbeRun(
        target=target.description,
        seed=options.seed,
        started_at=started,
        finished_at=datetime.now(UTC),
        attempts=tuple(all_results),
        families=tuple(family_results),
        duration_s=time.perf_counter() - clock,
        judge_calls=options.judge.calls if options.judge else 0,
        settings={
            "concurrency": options.concurrency,
            "repeats": options.repeats,
            "obfuscations": None
            if options.obfuscations is None
            else [o.value for o in options.obfuscations],
            "max_attacks_per_family": options.max_attacks_per_family,
            "threshold": options.threshold,
            "judge_budget": options.judge.budget if options.judge else None,
        },
    )


def run_probes(
    target: Target,
    families: Sequence[Family],
    system: AISystem | None,
    options: ProbeOptions,
    progress: Progress | None = None,
) -> ProbeRun:
    """Synchronous entry point; closes the target when done."""

    async def main() -> ProbeRun:
        try:
            return await arun_probes(target, families, system, options, progress)
        finally:
            await target.aclose()
            if options.judge:
                await options.judge.aclose()

    return asyncio.run(main())
