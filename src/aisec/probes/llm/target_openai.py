"""Target: an OpenAI-compatible chat-completions endpoint (`POST {base}/chat/completions`).

The API key is read from an environment variable named by the user and only ever placed in the
Authorization header; it is not stored on the object's public surface, logged or written out.
Inserted content is placed according to the chosen `ContentChannel`. Replies are validated
(`replies.py`), so a malformed one is an errored attempt, not a crash.
"""

from __future__ import annotations

import json
import os
from typing import Any

from aisec.probes.llm.interface import (
    ChatRequest,
    ChatResponse,
    ContentChannel,
    TargetFailed,
    ToolSpec,
)
from aisec.probes.llm.replies import parse_completion
from aisec.probes.llm.transport import REJECT_STATUSES, JsonPoster, TransportOptions, check_url

CONTENT_TOOL_NAME = "fetch_content"


def tool_definition(spec: ToolSpec) -> dict[str, Any]:
    """OpenAI `tools` entry for a declared tool (free-form arguments)."""
    return {
        "type": "function",
        "function": {
            "name": spec.name,
            "description": spec.description[:1000],
            "parameters": {"type": "object", "properties": {}, "additionalProperties": True},
        },
    }


def build_messages(request: ChatRequest, channel: ContentChannel) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    messages.extend({"role": role, "content": text} for role, text in request.history)
    user = request.user
    if request.content is not None and channel is ContentChannel.USER_BLOCK:
        user = f"{user}\n\n<{request.content_label}>\n{request.content}\n</{request.content_label}>"
    messages.append({"role": "user", "content": user})
    if request.content is not None and channel is ContentChannel.TOOL_RESULT:
        call_id = "call_aisec_content"
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {
                            "name": CONTENT_TOOL_NAME,
                            "arguments": json.dumps({"kind": request.content_label}),
                        },
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call_id, "content": request.content})
    return messages


def build_body(
    request: ChatRequest, model: str, channel: ContentChannel, max_tokens: int | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": build_messages(request, channel)}
    if request.tools:
        body["tools"] = [tool_definition(t) for t in request.tools]
    if request.content is not None and channel is ContentChannel.CONTEXT_FIELD:
        body["context"] = [request.content]
    if max_tokens:
        body["max_tokens"] = max_tokens
    if request.caller:
        body["user"] = request.caller
    return body


class OpenAIChatTarget:
    """Chat completions over HTTP with the shared transport policy."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str | None = "OPENAI_API_KEY",
        channel: ContentChannel = ContentChannel.TOOL_RESULT,
        transport: TransportOptions | None = None,
        max_tokens: int | None = None,
        url_field: str = "--target",
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        check_url(base_url, url_field)
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._channel = channel
        self._max_tokens = max_tokens
        self._extra = dict(extra_body or {})  # e.g. temperature and seed for an attacker model
        headers = {"content-type": "application/json"}
        key = os.environ.get(api_key_env, "") if api_key_env else ""
        if key:
            headers["authorization"] = f"Bearer {key}"
        self._poster = JsonPoster(transport or TransportOptions(), headers)

    @property
    def description(self) -> str:
        return self._url

    @property
    def content_is_user(self) -> bool:
        """Inserted content rides in the user turn: echoing it back is not a disclosure."""
        return self._channel is ContentChannel.USER_BLOCK

    async def send(self, request: ChatRequest) -> ChatResponse:
        body = {**self._extra, **build_body(request, self._model, self._channel, self._max_tokens)}
        result = await self._poster.request("POST", self._url, body)
        if result.status in REJECT_STATUSES:
            return ChatResponse(
                text="",
                status=result.status,
                rejected=True,
                latency_s=result.latency_s,
                tries=result.tries,
            )
        if result.status in (401, 403):
            raise TargetFailed(
                f"{self._url} answered HTTP {result.status}",
                hint="check the API key variable named by --api-key-env",
            )
        if result.status >= 400:
            raise TargetFailed(f"{self._url} answered HTTP {result.status}")
        text, calls = parse_completion(result.payload)
        return ChatResponse(
            text=text,
            tool_calls=calls,
            status=result.status,
            latency_s=result.latency_s,
            tries=result.tries,
        )

    async def aclose(self) -> None:
        await self._poster.aclose()
