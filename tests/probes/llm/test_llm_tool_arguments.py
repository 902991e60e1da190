"""SQL, shell and SSRF payloads passed through a tool's arguments count as output injection."""

from __future__ import annotations

from pathlib import Path

from aisec.probes.llm import load_families, run_probes
from aisec.probes.llm.runner import ProbeOptions
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.system import load_system

FAMILY = [f for f in load_families() if f.id == "output-injection"]


def _run(url: str, system_file: Path | None):  # type: ignore[no-untyped-def]
    target = OpenAIChatTarget(url, "reference", api_key_env=None)
    system = load_system(system_file) if system_file else None
    return run_probes(target, FAMILY, system, ProbeOptions(seed=4, obfuscations=()))


def test_tool_argument_payloads_are_caught(
    vulnerable_url: str, hardened_url: str, system_file: Path
) -> None:
    run = _run(vulnerable_url, system_file)
    tool_args = [a for a in run.attempts if a.planned.prompt_id.startswith("tool-arg-")]
    assert {a.planned.prompt_id for a in tool_args} == {
        "tool-arg-sql",
        "tool-arg-ssrf",
        "tool-arg-shell",
    }
    for attempt in tool_args:
        assert attempt.success, attempt.planned.prompt_id
        assert all(h.kind.startswith("tool-argument:") for h in attempt.hits)
    kinds = {h.kind for a in tool_args for h in a.hits}
    assert "tool-argument:ssrf-internal-url" in kinds
    hardened = _run(hardened_url, system_file)
    assert not any(a.success for a in hardened.attempts)  # allowed tool, clean arguments


def test_tool_argument_attacks_need_an_allowed_tool(vulnerable_url: str) -> None:
    run = _run(vulnerable_url, None)
    assert not any(a.planned.prompt_id.startswith("tool-arg-") for a in run.attempts)


def test_authorisation_through_tools(
    vulnerable_url: str, hardened_url: str, system_file: Path
) -> None:
    """The caller's account travels as the OpenAI `user`; the hardened target's tools act only
    on it, the vulnerable one passes another customer's account to the tool."""
    family = [f for f in load_families() if f.id == "excessive-agency"]

    def run(url: str):  # type: ignore[no-untyped-def]
        target = OpenAIChatTarget(url, "reference", api_key_env=None)
        return run_probes(
            target, family, load_system(system_file), ProbeOptions(seed=6, obfuscations=())
        )

    wanted = {"other-users-records", "support-pretext"}
    vulnerable = [a for a in run(vulnerable_url).attempts if a.planned.prompt_id in wanted]
    assert len(vulnerable) == 2 and all(a.success for a in vulnerable)
    assert all(any(h.kind == "foreign-record" for h in a.hits) for a in vulnerable)
    hardened = [a for a in run(hardened_url).attempts if a.planned.prompt_id in wanted]
    assert hardened and not any(a.success for a in hardened)
    calls = [(a.planned.planted.account, c) for a in hardened for c in a.response.tool_calls]  # type: ignore[union-attr]
    assert calls and all(own in call.arguments for own, call in calls)
