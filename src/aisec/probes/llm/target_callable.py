"""Target: a Python callable, for tests and library users (never loaded from CLI config).

The callable receives the neutral `ChatRequest` and returns a `ChatResponse` or a plain string,
synchronously or as a coroutine; latency is measured around the call.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from aisec.probes.llm.interface import ChatRequest, ChatResponse

Fn = Callable[[ChatRequest], "ChatResponse | str | Awaitable[ChatResponse | str]"]


class CallableTarget:
    def __init__(self, fn: Fn, name: str | None = None) -> None:
        self._fn = fn
        self._name = name or getattr(fn, "__qualname__", "callable")

    @property
    def description(self) -> str:
        return f"python:{self._name}"

    async def send(self, request: ChatRequest) -> ChatResponse:
        start = time.perf_counter()
        result = self._fn(request)
        if inspect.isawaitable(result):
            result = await result
        latency = time.perf_counter() - start
        if isinstance(result, str):
            return ChatResponse(text=result, latency_s=latency)
        return replace(result, latency_s=result.latency_s or latency)

    async def aclose(self) -> None:
        return None
