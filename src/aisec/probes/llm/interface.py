"""What every LLM target looks like to the probe runner.

A probe sends one `ChatRequest` (system text, user text, optional inserted content, optional tool
definitions) and gets back a `ChatResponse` (text, tool calls, timing). Each target kind
(OpenAI-compatible HTTP, generic HTTP JSON template, Python callable) translates this neutral
shape to its own wire format, so probe families and detectors never depend on a protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from aisec.common.errors import ProbeError


class ContentChannel(StrEnum):
    """Where inserted content (a RAG document, a tool output, an e-mail) is placed."""

    TOOL_RESULT = "tool-result"  # OpenAI: assistant tool_call + tool message carrying the content
    USER_BLOCK = "user-block"  # a delimited retrieved-document block inside the user turn
    CONTEXT_FIELD = "context-field"  # a separate `context` field (reference target, templates)


@dataclass(frozen=True)
class ToolSpec:
    """A tool the application declares to the model (built from the system model)."""

    name: str
    description: str
    effects: tuple[str, ...] = ()
    requires_approval: bool = False


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str = ""


@dataclass(frozen=True)
class ChatRequest:
    user: str
    system: str | None = None
    content: str | None = None  # inserted content (document, tool output, e-mail)
    content_label: str = "document"
    tools: tuple[ToolSpec, ...] = ()
    history: tuple[tuple[str, str], ...] = ()
    caller: str | None = (
        None  # the end user the app acts for (OpenAI `user` field)  # earlier (role, text) turns: "user"/"assistant"
    )


@dataclass(frozen=True)
class ChatResponse:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    status: int = 200
    rejected: bool = False  # the target refused the input itself (HTTP 400/413/422)
    latency_s: float = 0.0
    tries: int = 1
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


class Target(Protocol):
    """An LLM application under test. Implementations must be safe to call concurrently."""

    @property
    def description(self) -> str:
        """Where requests go (URL or callable name), never a secret."""
        ...

    async def send(self, request: ChatRequest) -> ChatResponse: ...

    async def aclose(self) -> None: ...


class TargetUnreachable(ProbeError):
    """The target could not be contacted at all (connection refused, DNS, timeout)."""


class TargetFailed(ProbeError):
    """The target answered with a server error after all retries, or with unparseable data."""


CallableFn = Callable[[ChatRequest], Awaitable[ChatResponse] | ChatResponse]
