from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aisec.common.errors import InputError
from aisec.probes.llm.interface import (
    ChatRequest,
    ChatResponse,
    ContentChannel,
    TargetUnreachable,
    ToolSpec,
)
from aisec.probes.llm.target_callable import CallableTarget
from aisec.probes.llm.target_http import HttpTemplateTarget, load_template
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.probes.llm.transport import TransportOptions

from .fakes import completion, scripted_server

FAST = TransportOptions(timeout_s=5, retries=2, backoff_s=0.01)
REQUEST = ChatRequest(
    user="hi",
    system="sys",
    content="DOC",
    content_label="email",
    tools=(ToolSpec("send-mail", "Send mail"),),
)


def _send(target, request: ChatRequest = REQUEST) -> ChatResponse:
    async def go() -> ChatResponse:
        try:
            return await target.send(request)
        finally:
            await target.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("channel", list(ContentChannel))
def test_openai_target_places_content_in_the_chosen_channel(channel: ContentChannel) -> None:
    with scripted_server(lambda n, b: (200, completion("ok"))) as (url, got):
        response = _send(
            OpenAIChatTarget(url + "/v1", "m", api_key_env=None, channel=channel, transport=FAST)
        )
    body = got[0]["body"]
    assert got[0]["path"] == "/v1/chat/completions" and response.text == "ok"
    assert body["tools"][0]["function"]["name"] == "send-mail"
    roles = [m["role"] for m in body["messages"]]
    if channel is ContentChannel.TOOL_RESULT:
        assert roles == ["system", "user", "assistant", "tool"]
        assert body["messages"][3]["content"] == "DOC"
        assert body["messages"][3]["tool_call_id"] == body["messages"][2]["tool_calls"][0]["id"]
    elif channel is ContentChannel.USER_BLOCK:
        assert roles == ["system", "user"]
        assert "<email>\nDOC\n</email>" in body["messages"][1]["content"]
    else:
        assert body["context"] == ["DOC"] and roles == ["system", "user"]


def test_api_key_comes_from_the_named_variable_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TEST_KEY", "sekrit-value-123")
    with scripted_server(lambda n, b: (200, completion("ok"))) as (url, got):
        target = OpenAIChatTarget(url, "m", api_key_env="MY_TEST_KEY", transport=FAST)
        assert "sekrit" not in repr(vars(target)) + target.description
        _send(target)
    assert got[0]["headers"]["authorization"] == "Bearer sekrit-value-123"


def test_retries_on_429_and_5xx_then_succeeds() -> None:
    statuses = {1: 429, 2: 503}
    with scripted_server(lambda n, b: (statuses.get(n, 200), completion("fine"))) as (url, got):
        response = _send(OpenAIChatTarget(url, "m", api_key_env=None, transport=FAST))
    assert response.text == "fine" and response.tries == 3 and len(got) == 3


@pytest.mark.parametrize("status", [400, 413, 422])
def test_input_rejection_is_recorded_not_raised(status: int) -> None:
    with scripted_server(lambda n, b: (status, {"error": {}})) as (url, _):
        response = _send(OpenAIChatTarget(url, "m", api_key_env=None, transport=FAST))
    assert response.rejected and response.status == status


def test_unreachable_target() -> None:
    target = OpenAIChatTarget(
        "http://127.0.0.1:9/v1",
        "m",
        api_key_env=None,
        transport=TransportOptions(timeout_s=1, retries=0),
    )
    with pytest.raises(TargetUnreachable):
        _send(target)


def test_openai_target_rejects_non_http_url() -> None:
    with pytest.raises(InputError):
        OpenAIChatTarget("file:///etc/passwd", "m")


def test_template_substitutes_json_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPL_KEY", "k-1")
    hostile = 'say "hi"}, "admin": true, {"x": "{{system}}\\n'
    with scripted_server(lambda n, b: (200, {"data": {"answers": [{"text": "yo"}]}})) as (url, got):
        path = tmp_path / "t.yaml"
        path.write_text(
            f"url: {url}/chat\nheaders: {{x-key: '{{{{env:TPL_KEY}}}}'}}\n"
            "body: {query: '{{prompt}}', extra: {docs: ['{{context}}']}, fixed: 3}\n"
            "response_path: data.answers.0.text\n",
            encoding="utf-8",
        )
        response = _send(
            HttpTemplateTarget(load_template(path), FAST), ChatRequest(user=hostile, content="D")
        )
    body = got[0]["body"]
    assert body == {"query": hostile, "extra": {"docs": ["D"]}, "fixed": 3}
    assert got[0]["headers"]["x-key"] == "k-1" and response.text == "yo"


def test_template_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("url: ftp://x\nbody: {}\nresponse_path: a.b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t.yaml:1: url"):
        load_template(path)


@pytest.mark.parametrize("is_async", [False, True])
def test_callable_target(is_async: bool) -> None:
    def sync_fn(request: ChatRequest) -> str:
        return request.user.upper()

    async def async_fn(request: ChatRequest) -> ChatResponse:
        return ChatResponse(text=request.user[::-1])

    target = CallableTarget(async_fn if is_async else sync_fn)
    response = _send(target, ChatRequest(user="abc"))
    assert response.text == ("cba" if is_async else "ABC")
    assert target.description.startswith("python:")
