"""Schemas for what a target answers, so a hostile or broken reply is an errored attempt.

A target is hostile by assumption: a reply may be valid JSON of the wrong shape
(`{"choices":[{"message":"hello"}]}`, `"tool_calls": 5`, a list where an object belongs). Every
reply is validated with pydantic before anything reads it; a mismatch raises `TargetFailed`
naming the first offending field, which the runner records as one errored attempt instead of
ending the run.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aisec.probes.llm.interface import TargetFailed, ToolCall

MAX_ARGUMENTS = 4000
MAX_CALLS = 64


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Function(_Loose):
    name: str = Field(default="", max_length=400)
    arguments: str = ""

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, dict | list):  # some servers send parsed JSON, not a string
            return json.dumps(value)[:MAX_ARGUMENTS]
        return value


class _ToolCall(_Loose):
    function: _Function


class _TextPart(_Loose):
    type: str = "text"
    text: str = ""


class _Message(_Loose):
    content: str | list[_TextPart] | None = None
    tool_calls: list[_ToolCall] | None = Field(default=None, max_length=MAX_CALLS)


class _Choice(_Loose):
    message: _Message


class _Completion(_Loose):
    choices: list[_Choice] = Field(min_length=1)


def _where(exc: ValidationError) -> str:
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return f"{path}: {first['msg']}"


def _calls(raw: list[_ToolCall] | None) -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(name=c.function.name, arguments=c.function.arguments[:MAX_ARGUMENTS])
        for c in raw or []
    )


def parse_completion(payload: Any) -> tuple[str, tuple[ToolCall, ...]]:
    """Text and tool calls of an OpenAI chat completion, or `TargetFailed` if malformed."""
    try:
        completion = _Completion.model_validate(payload)
    except ValidationError as exc:
        raise TargetFailed(
            f"not an OpenAI chat completion (malformed chat completion: {_where(exc)})"
        ) from None
    message = completion.choices[0].message
    content = message.content
    if isinstance(content, list):
        text = "\n".join(part.text for part in content)
    else:
        text = content or ""
    return text, _calls(message.tool_calls)


class _BareCall(_Loose):
    """A tool call either OpenAI-shaped (`{"function": {...}}`) or flat (`{"name": ...}`)."""

    function: _Function | None = None
    name: str = Field(default="", max_length=400)
    arguments: Any = ""


def parse_tool_calls(raw: Any, where: str) -> tuple[ToolCall, ...]:
    """Tool calls found at a template's `tool_calls_path`; `TargetFailed` if malformed."""
    if raw is None:
        return ()
    try:
        calls = [_BareCall.model_validate(item) for item in _as_list(raw)]
    except (ValidationError, TypeError) as exc:
        why = _where(exc) if isinstance(exc, ValidationError) else str(exc)
        raise TargetFailed(f"malformed tool calls at {where!r}: {why}") from None
    out = []
    for call in calls[:MAX_CALLS]:
        function = call.function or _Function.model_validate(
            {"name": call.name, "arguments": call.arguments}
        )
        out.append(ToolCall(name=function.name, arguments=function.arguments[:MAX_ARGUMENTS]))
    return tuple(out)


def _as_list(raw: Any) -> list[Any]:
    if not isinstance(raw, list):
        raise TypeError(f"expected a list of tool calls, got {type(raw).__name__}")
    return raw


def text_of(value: Any, where: str) -> str:
    """The reply text found at a template's `response_path`: a string, number or null only."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TargetFailed(f"expected text at {where!r}, got {type(value).__name__}")
    return str(value)
