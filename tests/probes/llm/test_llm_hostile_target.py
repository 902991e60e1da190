"""A hostile target cannot hang, crash or erase a probe run (issue 14, probe items 1-3).

Each test runs `aisec probe` against a real socket server on 127.0.0.1 that drips, stalls or
answers JSON of the wrong shape, and checks the run ends in bounded time, counts the bad replies
as errored attempts and writes the evidence and attempts gathered so far.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aisec.cli import main
from aisec.probes.finding import EvidenceReport, Verdict
from aisec.probes.llm.interface import TargetFailed
from aisec.probes.llm.replies import parse_completion, parse_tool_calls

from .hostile import Act, good, hostile_server

MALFORMED = (
    {"choices": [{"message": "hello"}]},
    {"choices": [{"message": {"content": "x", "tool_calls": 5}}]},
    [{"function": "x"}],
    {"choices": []},
    {"choices": [{"message": {"content": {"nested": 1}}}]},
    {"choices": [{"message": {"tool_calls": [{"function": "x"}]}}]},
)


def _echo(body: dict[str, Any]) -> str:
    """A well-behaved answer that also passes the echo capability check."""
    user = str(body.get("messages", [{}])[-1].get("content", ""))
    return user.rsplit(":", 1)[1].strip() if "this code:" in user else "Happy to help."


def _probe(url: str, tmp_path: Path, *extra: str) -> tuple[int, EvidenceReport, list[Any]]:
    out, attempts = tmp_path / "ev.json", tmp_path / "attempts.jsonl"
    code = main(
        [
            "probe",
            "--target",
            url,
            "--no-progress",
            "--only",
            "prompt-injection",
            "--obfuscations",
            "none",
            "--json",
            str(out),
            "--attempts",
            str(attempts),
            *extra,
        ]
    )
    lines = [json.loads(line) for line in attempts.read_text().splitlines()]
    return code, EvidenceReport.model_validate_json(out.read_text()), lines


@pytest.mark.parametrize("drip", ["drip-body", "drip-headers"])
def test_dripping_target_is_bounded_by_the_request_deadline(drip: str, tmp_path: Path) -> None:
    def behaviour(n: int, body: dict[str, Any]) -> Act:
        return good(_echo(body)) if n == 1 or n % 2 else Act(drip, step_s=0.05)

    with hostile_server(behaviour) as (url, received):
        start = time.monotonic()
        code, report, lines = _probe(url, tmp_path, "--timeout", "1")
        took = time.monotonic() - start
    assert took < 12, f"a dripping target held the run for {took:.1f} s"
    total = report.summary["attempts"]
    assert len(lines) == len(received) == total > 10
    dripped = [line for line in lines if line["error"]]
    assert len(dripped) == total // 2 and all("deadline" in line["error"] for line in dripped)
    assert report.summary["completed"] == total - total // 2
    finding = report.findings[0]
    assert finding.verdict is Verdict.INCONCLUSIVE and code == 4
    assert "errored or timed out" in finding.details["inconclusive_reasons"][0]


def test_run_budget_stops_a_stalling_target(tmp_path: Path) -> None:
    def behaviour(n: int, body: dict[str, Any]) -> Act:
        return good(_echo(body)) if n <= 3 else Act("stall")

    with hostile_server(behaviour) as (url, _):
        start = time.monotonic()
        code, report, lines = _probe(
            url, tmp_path, "--timeout", "30", "--budget", "1.5", "--concurrency", "1"
        )
        took = time.monotonic() - start
    assert took < 8 and code == 4
    assert report.summary["completed"] == 3 and "budget" in report.summary["aborted"]
    assert len(lines) == report.summary["attempts"]
    assert sum(1 for line in lines if line["error"]) == len(lines) - 3


def test_malformed_replies_are_errored_attempts_and_evidence_is_written(tmp_path: Path) -> None:
    def behaviour(n: int, body: dict[str, Any]) -> Act:
        if n == 1 or n % 3:
            return good(_echo(body))
        return Act("json", MALFORMED[(n // 3) % len(MALFORMED)])

    with hostile_server(behaviour) as (url, _):
        code, report, lines = _probe(url, tmp_path, "--concurrency", "1")
    total = len(lines)
    bad = [line for line in lines if line["error"]]
    assert len(bad) == total // 3 and all(
        "not an OpenAI chat completion" in line["error"] for line in bad
    )
    assert (
        report.summary["errors"] == total // 3 and report.summary["completed"] == total - total // 3
    )
    assert code == 4  # a third of the replies malformed: too many errors to say "held"
    assert report.findings[0].verdict is Verdict.INCONCLUSIVE


@pytest.mark.parametrize("payload", MALFORMED)
def test_every_malformed_shape_is_a_target_failure(payload: Any) -> None:
    with pytest.raises(TargetFailed, match="malformed"):
        parse_completion(payload)


@pytest.mark.parametrize("raw", [5, "x", [{"function": "x"}], [{"name": 3}]])
def test_malformed_template_tool_calls_are_target_failures(raw: Any) -> None:
    with pytest.raises(TargetFailed, match="malformed tool calls"):
        parse_tool_calls(raw, "calls")


def test_ctrl_c_writes_what_completed(tmp_path: Path) -> None:
    def behaviour(n: int, body: dict[str, Any]) -> Act:
        return Act("json", good(_echo(body)).payload, delay_s=0.25)

    out, attempts = tmp_path / "ev.json", tmp_path / "attempts.jsonl"
    with hostile_server(behaviour) as (url, received):
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "src")}
        proc = subprocess.Popen(  # noqa: S603  (our own CLI)
            [sys.executable, "-m", "aisec", "probe", "--target", url, "--no-progress"]
            + ["--only", "prompt-injection", "--concurrency", "1"]
            + ["--json", str(out), "--attempts", str(attempts)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while len(received) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err.decode()[-2000:]
    report = EvidenceReport.model_validate_json(out.read_text())
    assert report.summary["interrupted"] is True and report.summary["completed"] >= 3
    lines = [json.loads(line) for line in attempts.read_text().splitlines()]
    assert len(lines) == report.summary["attempts"] > report.summary["completed"]
    assert any(line["error"] == "not sent: interrupted" for line in lines)
    assert report.findings[0].verdict is not Verdict.PASS


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://[::1", "malformed URL"),
        ("http://127.0.0.1:99999/v1", "port 99999"),
        ("ftp://127.0.0.1/v1", "http:// or https://"),
    ],
)
def test_malformed_target_url_is_an_input_error(
    url: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", "--target", url, "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert said in captured.err + captured.out


def test_malformed_template_url_is_an_input_error(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "url: 'http://[::1'\nbody: {q: '{{prompt}}'}\nresponse_path: answer\n", encoding="utf-8"
    )
    assert main(["probe", "--http-template", str(template), "--no-progress"]) == 2
