"""Transport policy: rate limit, concurrency cap, no redirects, bounded responses."""

from __future__ import annotations

import asyncio

import pytest

from aisec.probes.llm import transport
from aisec.probes.llm.families import load_families
from aisec.probes.llm.interface import ChatRequest, TargetFailed
from aisec.probes.llm.runner import ProbeOptions, run_probes
from aisec.probes.llm.target_callable import CallableTarget
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.probes.llm.transport import RateLimiter, TransportOptions

from .fakes import completion, scripted_server


def test_rate_limiter_spaces_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = {"now": 100.0}
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(transport.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(transport.asyncio, "sleep", fake_sleep)

    async def go() -> None:
        limiter = RateLimiter(2.0)  # two per second, burst of two
        for _ in range(6):
            await limiter.acquire()

    asyncio.run(go())
    assert sum(slept) == pytest.approx(2.0)  # 6 requests at 2/s after a burst of 2


@pytest.mark.parametrize("limit", [1, 4])
def test_concurrency_cap_is_respected(limit: int) -> None:
    state = {"now": 0, "max": 0}

    async def slow(request: ChatRequest) -> str:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        await asyncio.sleep(0.001)
        state["now"] -= 1
        return "ok"

    families = [f for f in load_families() if f.id == "prompt-injection"]
    run_probes(CallableTarget(slow), families, None, ProbeOptions(concurrency=limit))
    assert state["max"] == limit


def _send(target: OpenAIChatTarget):
    async def go():
        try:
            return await target.send(ChatRequest(user="hi"))
        finally:
            await target.aclose()

    return asyncio.run(go())


def test_redirects_are_never_followed() -> None:
    with scripted_server(lambda n, b: (200, completion("other"))) as (other, hits):

        def redirect(n: int, body: dict) -> tuple[int, dict]:
            return 302, {}

        with scripted_server(redirect) as (url, _):
            target = OpenAIChatTarget(
                url, "m", api_key_env=None, transport=TransportOptions(retries=0)
            )
            with pytest.raises(TargetFailed):
                _send(target)
    assert hits == []


def test_oversized_response_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "MAX_RESPONSE_BYTES", 1000)
    with scripted_server(lambda n, b: (200, completion("x" * 5000))) as (url, _):
        target = OpenAIChatTarget(url, "m", api_key_env=None, transport=TransportOptions(retries=0))
        with pytest.raises(TargetFailed, match="larger than 1000"):
            _send(target)
