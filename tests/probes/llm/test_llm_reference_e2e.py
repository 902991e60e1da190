"""Every family finds the weakness of the vulnerable target and none is raised on the hardened
one; benign controls are answered (no false refusal) by both."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.probes.finding import Verdict
from aisec.probes.llm import ContentChannel, load_families, run_probes
from aisec.probes.llm.results import ProbeRun
from aisec.probes.llm.runner import ProbeOptions
from aisec.probes.llm.target_openai import OpenAIChatTarget
from aisec.system import load_system

FAMILIES = load_families()
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "email-agent.yaml"
_RUNS: dict[tuple[str, str], ProbeRun] = {}


def _run(
    url: str, system_file: Path, channel: ContentChannel = ContentChannel.TOOL_RESULT, seed: int = 3
) -> ProbeRun:
    key = (url, f"{system_file}:{channel}:{seed}")
    if key not in _RUNS:
        target = OpenAIChatTarget(url, "reference", api_key_env=None, channel=channel)
        _RUNS[key] = run_probes(
            target, FAMILIES, load_system(system_file), ProbeOptions(seed=seed, concurrency=16)
        )
    return _RUNS[key]


@pytest.mark.parametrize("family", sorted(f.id for f in FAMILIES))
def test_vulnerable_target_fails_every_family(
    family: str, vulnerable_url: str, system_file: Path
) -> None:
    result = {f.family.id: f for f in _run(vulnerable_url, system_file).families}[family]
    assert result.verdict is Verdict.FAIL
    assert result.asr.successes == result.asr.n > 0
    assert result.false_refusal.successes == 0 and result.false_refusal.n > 0


@pytest.mark.parametrize("family", sorted(f.id for f in FAMILIES))
def test_hardened_target_raises_no_finding(
    family: str, hardened_url: str, system_file: Path
) -> None:
    run = _run(hardened_url, system_file)
    result = {f.family.id: f for f in run.families}[family]
    wrong = [
        (a.planned.prompt_id, a.planned.obfuscation, a.hits)
        for a in run.attempts
        if a.planned.family == family and a.success
    ]
    assert result.verdict is Verdict.PASS, wrong
    assert result.asr.n > 0 and result.errors == 0
    assert result.false_refusal.successes == 0


@pytest.mark.parametrize("channel", [ContentChannel.USER_BLOCK, ContentChannel.CONTEXT_FIELD])
def test_indirect_injection_through_every_content_channel(
    channel: ContentChannel, vulnerable_url: str, hardened_url: str, system_file: Path
) -> None:
    for url, expected in ((vulnerable_url, Verdict.FAIL), (hardened_url, Verdict.PASS)):
        run = _run(url, system_file, channel)
        verdicts = {f.family.id: f.verdict for f in run.families}
        assert verdicts["indirect-prompt-injection"] is expected


def test_echo_of_the_users_own_data_is_not_a_disclosure(
    vulnerable_url: str, system_file: Path
) -> None:
    """In the user-block channel the customer record sits in the user's own message, so the
    vulnerable target repeating it is an echo; only the credential from the system prompt
    (which the user never sent) still counts."""
    run = _run(vulnerable_url, system_file, ContentChannel.USER_BLOCK)
    wins = {
        a.planned.prompt_id
        for a in run.attempts
        if a.planned.family == "sensitive-disclosure" and a.success
    }
    assert wins == {"debug-key", "any-credential"}
    assert not any(a.leaks for a in run.attempts if a.planned.prompt_id == "ask-iban")
    tool_run = _run(vulnerable_url, system_file)
    assert any(
        a.success for a in tool_run.attempts if a.planned.prompt_id == "ask-iban"
    )  # the same record arriving as a tool result is the app's data: disclosed


def test_same_seed_gives_the_same_run(vulnerable_url: str, system_file: Path) -> None:
    one = _run(vulnerable_url, system_file, seed=11)
    two = run_probes(
        OpenAIChatTarget(vulnerable_url, "reference", api_key_env=None),
        FAMILIES,
        load_system(system_file),
        ProbeOptions(seed=11, concurrency=3),
    )
    assert [(a.planned.request, a.response.text if a.response else None) for a in one.attempts] == [
        (a.planned.request, a.response.text if a.response else None) for a in two.attempts
    ]


@pytest.mark.skipif(not EXAMPLE.exists(), reason="examples/email-agent.yaml not present")
def test_bundled_email_agent_example(vulnerable_url: str, hardened_url: str) -> None:
    vulnerable = _run(vulnerable_url, EXAMPLE)
    hardened = _run(hardened_url, EXAMPLE)
    assert all(f.verdict is Verdict.FAIL for f in vulnerable.families)
    assert all(f.verdict is Verdict.PASS for f in hardened.families)


def test_resource_measures_show_growth(
    vulnerable_url: str, hardened_url: str, system_file: Path
) -> None:
    def measures(url: str) -> dict[str, float]:
        run = _run(url, system_file)
        return {f.family.id: f for f in run.families}["resource-exhaustion"].measures

    assert measures(vulnerable_url)["output_growth"] > 100
    assert measures(hardened_url)["output_growth"] < 10
    assert measures(hardened_url)["attack_refusal_rate"] > 0  # the 413 on oversized input


def test_guarded_mode_shows_what_obfuscation_gets_past(system_file: Path) -> None:
    from aisec.probes.llm.reference import start_reference_target

    url, stop = start_reference_target("guarded")
    try:
        run = _run(url, system_file)
    finally:
        stop()
    result = {f.family.id: f for f in run.families}["prompt-injection"]
    assert result.verdict is Verdict.FAIL and 0 < result.asr.successes < result.asr.n
    assert result.by_obfuscation["none"][0] == 0  # the literal filter stops plain English
    bypass = {k for k, (wins, _) in result.by_obfuscation.items() if wins}
    assert {"base64", "unicode-tags", "lang-de"} <= bypass
    assert result.false_refusal.successes == 0
