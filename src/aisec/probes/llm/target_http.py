"""Target: any HTTP JSON API described by a small request/response template (YAML).

The template names method, URL, headers and a JSON body in which the placeholders `{{prompt}}`,
`{{system}}`, `{{context}}` are replaced inside the parsed structure, so attacker-controlled text
can never break out of its JSON string (no template engine runs over user content). Header values
may name an environment variable as `{{env:NAME}}` (for API keys). The answer is found by a dotted
path such as `choices.0.message.content`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisec.common.errors import InputError
from aisec.common.yamlio import load_yaml_file, validate_located
from aisec.probes.llm.interface import ChatRequest, ChatResponse, TargetFailed, ToolCall
from aisec.probes.llm.replies import parse_tool_calls, text_of
from aisec.probes.llm.transport import REJECT_STATUSES, JsonPoster, TransportOptions, check_url

_PLACEHOLDER = re.compile(r"\{\{\s*(prompt|system|context)\s*\}\}")
_ENV = re.compile(r"\{\{\s*env:([A-Za-z_][A-Za-z0-9_]{0,80})\s*\}\}")
_PATH = r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$"


class HttpTemplate(BaseModel):
    """Schema of the `--http-template` YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["POST", "PUT"] = "POST"
    url: str = Field(pattern=r"^https?://", max_length=2000)
    headers: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any]
    response_path: str = Field(pattern=_PATH, max_length=200)
    tool_calls_path: str | None = Field(default=None, pattern=_PATH, max_length=200)


def load_template(path: Path) -> HttpTemplate:
    located = load_yaml_file(path)
    if not isinstance(located.data, dict):
        raise InputError(
            "expected a mapping (method, url, headers, body, response_path)",
            source=str(path),
            line=1,
        )
    return validate_located(HttpTemplate, located)


def substitute(node: Any, values: dict[str, str]) -> Any:
    """Replace placeholders inside strings of a parsed JSON structure (never in keys)."""
    if isinstance(node, dict):
        return {key: substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [substitute(item, values) for item in node]
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), node)
    return node


def resolve_path(payload: Any, path: str) -> Any:
    node = payload
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise TargetFailed(f"response has no field at {path!r} (stopped at {part!r})")
    return node


def _headers(template: HttpTemplate) -> dict[str, str]:
    def env(match: re.Match[str]) -> str:
        return os.environ.get(match.group(1), "")

    return {name: _ENV.sub(env, value) for name, value in template.headers.items()}


class HttpTemplateTarget:
    def __init__(self, template: HttpTemplate, transport: TransportOptions | None = None) -> None:
        check_url(template.url, "url (--http-template)")
        self._template = template
        self._poster = JsonPoster(transport or TransportOptions(), _headers(template))

    @property
    def description(self) -> str:
        return self._template.url

    async def send(self, request: ChatRequest) -> ChatResponse:
        earlier = "".join(f"{role.title()}: {text}\n" for role, text in request.history)
        values = {
            "prompt": earlier + ("User: " if earlier else "") + request.user,
            "system": request.system or "",
            "context": request.content or "",
        }
        body = substitute(self._template.body, values)
        result = await self._poster.request(self._template.method, self._template.url, body)
        if result.status in REJECT_STATUSES:
            return ChatResponse(
                text="",
                status=result.status,
                rejected=True,
                latency_s=result.latency_s,
                tries=result.tries,
            )
        if result.status >= 400:
            raise TargetFailed(f"{self._template.url} answered HTTP {result.status}")
        path = self._template.response_path
        text = text_of(resolve_path(result.payload, path), path)
        calls: tuple[ToolCall, ...] = ()
        if self._template.tool_calls_path:
            try:
                raw_calls = resolve_path(result.payload, self._template.tool_calls_path)
            except TargetFailed:
                raw_calls = None  # no tool calls in this reply
            calls = parse_tool_calls(raw_calls, self._template.tool_calls_path)
        return ChatResponse(
            text=text,
            tool_calls=calls,
            status=result.status,
            latency_s=result.latency_s,
            tries=result.tries,
        )

    async def aclose(self) -> None:
        await self._poster.aclose()
