"""The probe service: plan, send concurrently, score, aggregate. No CLI or I/O here.

`run_probes(target, families, system, options)` is what the CLI and the web app call. The first
request is sent alone as a reachability, configuration and latency check (`pacing.py`); if it
fails nothing else is sent and the run comes back with `aborted` set. After that, failures of
single attempts are recorded as errors next to the results and excluded from the rates, never
counted as passes. The returned `ProbeRun` always carries every attempt that completed, also
when the run was cut short by the budget or interrupted (Ctrl-C): callers write it either way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aisec.probes.finding import Verdict
from aisec.probes.llm.adaptive import AdaptiveOptions, run_adaptive
from aisec.probes.llm.declared import Declared
from aisec.probes.llm.families import Family
from aisec.probes.llm.interface import Target
from aisec.probes.llm.judge import LlmJudge
from aisec.probes.llm.leaks import LeakCheck
from aisec.probes.llm.obfuscation import Obfuscation
from aisec.probes.llm.pacing import Collector, Pacing, Progress, execute, fill_missing
from aisec.probes.llm.plan import AppContext, Plan, PlanOptions, build_plan, context_from_system
from aisec.probes.llm.results import AttemptResult, FamilyResult, JudgeVote, ProbeRun
from aisec.probes.llm.scoring import Context, Sufficiency, score_family
from aisec.probes.llm.stats import Rate, wilson
from aisec.system.schema import AISystem


@dataclass(frozen=True)
class ProbeOptions:
    seed: int = 0
    concurrency: int | None = None  # None: chosen from the first answer's latency
    timeout_s: float | None = None  # per-attempt overall deadline; None: from the latency
    budget_s: float | None = None  # the whole run; None: unbounded
    repeats: int = 1
    obfuscations: tuple[Obfuscation, ...] | None = None
    max_attacks_per_family: int | None = None
    threshold: float | None = None  # overrides each family's threshold
    sufficiency: Sufficiency = Sufficiency()
    declared: Declared = Declared()  # the app's own secrets and confidential instructions
    adaptive: AdaptiveOptions | None = None  # attacker-model loop (PAIR-style), off by default
    judge: LlmJudge | None = None
    judge_veto: bool = False  # let a judge NO overturn pattern-detector hits (never exact ones)


async def _judge_all(
    judge: LlmJudge, results: list[AttemptResult], families: dict[str, Family]
) -> list[AttemptResult]:
    out = []
    for result in results:
        if result.is_attack and result.ok:
            family = families[result.planned.family]
            vote = await judge.vote(result, family.title, family.rubric)
            result = replace(result, judge=vote)
        out.append(result)
    return out


def _agreement(results: Sequence[AttemptResult]) -> Rate | None:
    judged = [r for r in results if r.judge in (JudgeVote.YES, JudgeVote.NO)]
    if not judged:
        return None
    agree = sum((r.judge is JudgeVote.YES) == r.success for r in judged)
    return wilson(agree, len(judged))


def content_is_user(target: Target) -> bool:
    """Whether inserted content travels inside the user's own turn (then echoing it back is
    not a disclosure). Targets say so with a `content_is_user` attribute; default: no."""
    return bool(getattr(target, "content_is_user", False))


def _plan(families: Sequence[Family], app: AppContext, options: ProbeOptions) -> Plan:
    return build_plan(
        list(families),
        app,
        PlanOptions(
            seed=options.seed,
            repeats=options.repeats,
            obfuscations=options.obfuscations,
            max_attacks_per_family=options.max_attacks_per_family,
        ),
    )


def assemble(
    target: Target,
    families: Sequence[Family],
    app: AppContext,
    plan: Plan,
    options: ProbeOptions,
    collector: Collector,
    started: tuple[datetime, float],
    missing_reason: str,
) -> ProbeRun:
    """Score whatever is in `collector` into a run (also for a partial, interrupted run)."""
    raw = fill_missing(plan.attempts, collector, missing_reason) + list(collector.extra)
    leak_check = LeakCheck(options.declared, content_is_user(target))
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
        ctx = Context(app.tooling, leak_check, options.judge_veto)
        scored, summary = score_family(family, mine, ctx, options.threshold, options.sufficiency)
        all_results.extend(scored)
        family_results.append(summary)
    all_results.sort(key=lambda r: r.planned.index)
    return ProbeRun(
        target=target.description,
        seed=options.seed,
        started_at=started[0],
        finished_at=datetime.now(UTC),
        attempts=tuple(all_results),
        families=tuple(family_results),
        duration_s=time.perf_counter() - started[1],
        judge_calls=options.judge.calls if options.judge else 0,
        aborted=collector.aborted,
        declared=options.declared,
        settings={
            "concurrency": options.concurrency,
            "timeout_s": options.timeout_s,
            "budget_s": options.budget_s,
            "pacing": dict(collector.chosen),
            "repeats": options.repeats,
            "obfuscations": None
            if options.obfuscations is None
            else [o.value for o in options.obfuscations],
            "max_attacks_per_family": options.max_attacks_per_family,
            "threshold": options.threshold,
            "judge_budget": options.judge.budget if options.judge else None,
            "attacker_rounds": options.adaptive.rounds if options.adaptive else None,
            "declared": options.declared.summary() if not options.declared.empty else None,
            "content_is_user": leak_check.content_is_user,
        },
    )


async def _judged(run: ProbeRun, judge: LlmJudge, collector: Collector) -> list[AttemptResult]:
    """Judge votes on every completed attack; the judged attempts go back into `collector`
    so the run is scored again with the combination rule (see `scoring.judge_rule`)."""
    families = {f.family.id: f.family for f in run.families}
    scored = await _judge_all(judge, list(run.attempts), families)
    by_index = {r.planned.index: r for r in scored}
    for index in list(collector.results):
        if index in by_index:
            collector.results[index] = by_index[index]
    collector.extra[:] = [by_index.get(r.planned.index, r) for r in collector.extra]
    return scored


def _with_agreement(run: ProbeRun, judge: LlmJudge) -> ProbeRun:
    scored = run.attempts
    families = tuple(
        replace(
            f,
            judge_agreement=_agreement([r for r in scored if r.planned.family == f.family.id]),
        )
        for f in run.families
    )
    return replace(run, families=families, judge_calls=judge.calls)


async def arun_probes(
    target: Target,
    families: Sequence[Family],
    system: AISystem | None,
    options: ProbeOptions,
    progress: Progress | None = None,
    collector: Collector | None = None,
) -> ProbeRun:
    started = (datetime.now(UTC), time.perf_counter())
    app = context_from_system(system) if system else AppContext()
    plan = _plan(families, app, options)
    collector = collector if collector is not None else Collector()
    pacing = Pacing(options.concurrency, options.timeout_s, options.budget_s)
    await execute(target, plan.attempts, pacing, collector, progress)
    if options.adaptive and not collector.aborted:
        skipped = {family_id for family_id, _ in plan.skipped}
        ctx = Context(app.tooling, LeakCheck(options.declared, content_is_user(target)))
        await run_adaptive(
            target,
            [f for f in families if f.id not in skipped],
            app,
            options.seed,
            len(plan.attempts),
            options.adaptive,
            ctx,
            collector.extra,
        )
    why = "not sent: " + (collector.aborted or "run stopped")
    run = assemble(target, families, app, plan, options, collector, started, why)
    if options.judge and not collector.aborted:
        await _judged(run, options.judge, collector)
        run = assemble(target, families, app, plan, options, collector, started, why)
        run = _with_agreement(run, options.judge)
    return run


def run_probes(
    target: Target,
    families: Sequence[Family],
    system: AISystem | None,
    options: ProbeOptions,
    progress: Progress | None = None,
) -> ProbeRun:
    """Synchronous entry point; closes the target when done. On Ctrl-C the attempts that
    completed are scored and returned with `interrupted` set instead of being lost."""
    started = (datetime.now(UTC), time.perf_counter())
    collector = Collector()

    async def main() -> ProbeRun:
        try:
            return await arun_probes(target, families, system, options, progress, collector)
        finally:
            await target.aclose()
            if options.judge:
                await options.judge.aclose()
            if options.adaptive:
                await options.adaptive.attacker.aclose()

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        app = context_from_system(system) if system else AppContext()
        plan = _plan(families, app, options)
        collector.aborted = "interrupted (Ctrl-C) before every attempt completed"
        run = assemble(
            target, families, app, plan, options, collector, started, "not sent: interrupted"
        )
        return replace(run, interrupted=True)
