"""Sending the plan: adaptive pacing, per-attempt deadlines and a run budget.

The first attempt is sent alone. It checks that the target is reachable and configured, and its
latency sets the pace of the rest when the user did not fix it: a target that needs seconds per
answer gets few requests in flight and a deadline scaled to its speed, so a slow model is not
buried under abandoned requests it would keep processing. Every attempt has an overall deadline
and the run a budget; an attempt that misses either is an errored attempt, and the run goes on
(or, for the budget, stops sending). Results land in a `Collector` as they arrive, so whatever
completed before an interruption can still be scored and written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from aisec.common.errors import ProbeError
from aisec.probes.llm.families import Capability
from aisec.probes.llm.interface import ChatResponse, Target
from aisec.probes.llm.plan import PlannedAttempt
from aisec.probes.llm.results import AttemptResult

Progress = Callable[[int, int], None]

MAX_AUTO_CONCURRENCY = 8
MIN_AUTO_TIMEOUT_S = 10.0
CALIBRATION_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Pacing:
    """What the user fixed; `None` means: derive it from the measured latency."""

    concurrency: int | None = None
    timeout_s: float | None = None
    budget_s: float | None = None


@dataclass
class Collector:
    """Results by plan index, filled while the run goes on (read after an interruption)."""

    results: dict[int, AttemptResult] = field(default_factory=dict)
    extra: list[AttemptResult] = field(default_factory=list)  # attacker-model rounds
    aborted: str | None = None
    chosen: dict[str, float | int | None] = field(default_factory=dict)


def choose(latency_s: float, pacing: Pacing) -> tuple[int, float]:
    """Concurrency and per-attempt deadline for a target that answered in `latency_s`.

    A single-stream server answers `c` concurrent requests in about `c * latency`, so the
    deadline scales with both and keeps a 4x margin; concurrency drops to 2 above one second
    and to 1 above five seconds per answer.
    """
    if pacing.concurrency is not None:
        concurrency = pacing.concurrency
    elif latency_s >= 5.0:
        concurrency = 1
    elif latency_s >= 1.0:
        concurrency = 2
    else:
        concurrency = MAX_AUTO_CONCURRENCY
    if pacing.timeout_s is not None:
        timeout = pacing.timeout_s
    else:
        timeout = max(MIN_AUTO_TIMEOUT_S, 4.0 * latency_s * concurrency)
    return concurrency, timeout


async def _conversation(
    target: Target, planned: PlannedAttempt
) -> tuple[ChatResponse, tuple[tuple[str, str], ...]]:
    """Scripted escalation: each earlier turn gets the target's real reply, then the last."""
    history: tuple[tuple[str, str], ...] = ()
    for turn in planned.turns:
        request = replace(planned.request, user=turn, content=None, history=history)
        reply = await target.send(request)
        history += (("user", turn), ("assistant", reply.text))
    response = await target.send(replace(planned.request, history=history))
    return response, history


async def _other_session(target: Target, planned: PlannedAttempt) -> None:
    """Cross-session attacks: another user's own conversation runs first, to completion; its
    replies are not scored and none of it is sent as history of the scored conversation."""
    history: tuple[tuple[str, str], ...] = ()
    same_user = planned.capability is Capability.MEMORY  # proves memory exists at all
    caller = planned.planted.account if same_user else planned.planted.other_account
    for turn in planned.other_session:
        request = replace(planned.request, user=turn, content=None, history=history, caller=caller)
        reply = await target.send(request)
        history += (("user", turn), ("assistant", reply.text))


async def send_one(target: Target, planned: PlannedAttempt, timeout_s: float) -> AttemptResult:
    """One attempt under its overall deadline (a multi-turn attempt's deadline grows with its
    turns); every failure becomes an errored attempt."""
    history: tuple[tuple[str, str], ...] = ()
    try:
        async with asyncio.timeout(
            timeout_s * (1 + len(planned.turns) + len(planned.other_session))
        ):
            if planned.other_session:
                await _other_session(target, planned)
            if planned.turns:
                response, history = await _conversation(target, planned)
            else:
                response = await target.send(planned.request)
    except TimeoutError:
        return AttemptResult(planned, None, error=f"no answer within the {timeout_s:g} s deadline")
    except ProbeError as exc:
        return AttemptResult(planned, None, error=exc.message)
    except Exception as exc:  # noqa: BLE001  (a hostile target must not end the run)
        return AttemptResult(planned, None, error=f"unexpected {type(exc).__name__}: {exc}"[:300])
    return AttemptResult(planned, response, history=history)


async def execute(
    target: Target,
    attempts: Sequence[PlannedAttempt],
    pacing: Pacing,
    collector: Collector,
    progress: Progress | None = None,
) -> None:
    """Send every attempt (first alone), filling `collector`; never raises for the target."""
    if not attempts:
        return
    start = time.monotonic()
    budget_end = start + pacing.budget_s if pacing.budget_s else None
    total = len(attempts)
    first = attempts[0]
    first_timeout = pacing.timeout_s or CALIBRATION_TIMEOUT_S
    if budget_end:
        first_timeout = min(first_timeout, max(0.01, budget_end - time.monotonic()))
    result = await send_one(target, first, first_timeout)
    collector.results[first.index] = result
    if progress:
        progress(1, total)
    if result.response is None:
        collector.aborted = f"the first request failed, nothing else was sent: {result.error}"
        return
    concurrency, timeout = choose(result.response.latency_s, pacing)
    collector.chosen = {
        "first_latency_s": round(result.response.latency_s, 4),
        "concurrency": concurrency,
        "timeout_s": round(timeout, 3),
        "budget_s": pacing.budget_s,
        "auto_concurrency": pacing.concurrency is None,
        "auto_timeout": pacing.timeout_s is None,
    }
    gate = asyncio.Semaphore(max(1, concurrency))
    done = 1

    async def one(planned: PlannedAttempt) -> None:
        nonlocal done
        async with gate:
            collector.results[planned.index] = await send_one(target, planned, timeout)
        done += 1
        if progress:
            progress(done, total)

    tasks = [asyncio.ensure_future(one(p)) for p in attempts[1:]]
    try:
        remaining = None if budget_end is None else max(0.0, budget_end - time.monotonic())
        _, pending = await asyncio.wait(tasks, timeout=remaining)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if pending:
        collector.aborted = (
            f"the run budget of {pacing.budget_s:g} s ran out; "
            f"{len(pending)} attempt(s) did not complete"
        )


def fill_missing(
    attempts: Sequence[PlannedAttempt], collector: Collector, why: str
) -> list[AttemptResult]:
    """Every planned attempt in order; those without a result are errored with `why`."""
    return [collector.results.get(p.index) or AttemptResult(p, None, error=why) for p in attempts]
