"""Risk decisions on real files: nothing accepted by arithmetic, expiry, demonstrated threats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisec.analysis.model import DecisionState, WarningCode
from aisec.common.errors import InputError
from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.service import bundled_examples, run_assessment

EXAMPLES = {sid: (s, a) for sid, s, a in bundled_examples()}
SYSTEM = EXAMPLES["rag-assistant"][0]
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _assessment(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rag.assessment.yaml"
    path.write_text("system: rag-assistant\n" + body, encoding="utf-8")
    return path


def _risk(run_result, key: str):  # type: ignore[no-untyped-def]
    return next(r for r in run_result.risks if r.key == key)


def _within_key(tmp_path: Path) -> str:
    """A risk of the example that is within appetite without any control claimed."""
    result = run_assessment(SYSTEM, _assessment(tmp_path, "controls: {}\n"), now=NOW).result
    within = [r for r in result.risks if r.within_appetite]
    assert within, "the example has low risks"
    return within[0].key


def test_within_appetite_is_awaiting_acceptance_until_a_decision_exists(tmp_path: Path) -> None:
    key = _within_key(tmp_path)
    result = run_assessment(SYSTEM, _assessment(tmp_path, "controls: {}\n"), now=NOW).result
    risk = _risk(result, key)
    assert risk.decision_state is DecisionState.AWAITING_ACCEPTANCE
    assert not risk.accepted
    assert result.totals.accepted == 0
    assert "awaiting owner's acceptance" in risk.treatment

    threat, component = key.split("@")
    path = _assessment(
        tmp_path,
        f"""decisions:
  - threat: {threat}
    component: {component}
    treatment: accept
    risk_owner: HR Director
    decided_by: "M. Roy, HR Director"
    decided_on: 2026-11-20
    review_by: 2027-05-31
    justification: Low volume of personal data in prompts.
""",
    )
    result = run_assessment(SYSTEM, path, now=NOW).result
    risk = _risk(result, key)
    assert risk.decision_state is DecisionState.ACCEPTED and risk.accepted
    assert risk.decision is not None and risk.decision.decided_by == "M. Roy, HR Director"
    assert result.totals.accepted >= 1


def test_expired_acceptance_is_flagged(tmp_path: Path) -> None:
    key = _within_key(tmp_path)
    threat, _ = key.split("@")
    path = _assessment(
        tmp_path,
        f"""decisions:
  - threat: {threat}
    treatment: accept
    risk_owner: HR Director
    decided_by: HR Director
    decided_on: 2026-01-10
    review_by: 2026-06-30
    justification: Accepted for the pilot.
""",
    )
    result = run_assessment(SYSTEM, path, now=NOW).result
    risk = _risk(result, key)
    assert risk.decision_state is DecisionState.EXPIRED
    assert not risk.accepted and risk.decision_state.needs_decision
    assert any(w.code is WarningCode.DECISION_EXPIRED and w.subject == key for w in result.warnings)


def _failing_evidence(tmp_path: Path, threat: str) -> Path:
    report = EvidenceReport(
        tool="aisec-probe",
        tool_version="test",
        generated_at=datetime(2026, 11, 30, tzinfo=UTC),
        subject="https://hr-assistant.example.org/v1",
        findings=[
            Finding(
                tool="aisec-probe",
                rule_id="probe:x",
                verdict=Verdict.FAIL,
                severity=Severity.HIGH,
                location="https://hr-assistant.example.org/v1#x",
                message="attack worked",
                threat_ids=[threat],
                control_ids=["prompt-injection-io-handling"],
            )
        ],
    )
    path = tmp_path / "rag-probe.json"
    path.write_text(report.model_dump_json(), encoding="utf-8")
    return path


def _system_with_endpoint(tmp_path: Path) -> Path:
    text = SYSTEM.read_text(encoding="utf-8")
    marker = "    hosted_by: model-provider\n"
    assert marker in text
    text = text.replace(
        marker, marker + '    endpoints: ["https://hr-assistant.example.org/v1"]\n', 1
    )
    path = tmp_path / "rag-assistant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("evidence_named", "state"),
    [
        ("[]", DecisionState.NEEDS_JUSTIFICATION),
        ("[rag-probe.json]", DecisionState.ACCEPTED_DEMONSTRATED),
    ],
)
def test_demonstrated_threat_needs_the_evidence_named_to_be_accepted(
    tmp_path: Path, evidence_named: str, state: DecisionState
) -> None:
    system = _system_with_endpoint(tmp_path)
    evidence = _failing_evidence(tmp_path, "direct-prompt-injection")
    path = _assessment(
        tmp_path,
        f"""controls:
  prompt-injection-io-handling: {{status: implemented}}
decisions:
  - threat: direct-prompt-injection
    treatment: accept
    risk_owner: HR Director
    decided_by: HR Director
    decided_on: 2026-11-30
    review_by: 2027-02-28
    justification: Internal staff only; guardrail ships in Q1.
    evidence: {evidence_named}
""",
    )
    result = run_assessment(system, path, [evidence], now=NOW).result
    risk = _risk(result, "direct-prompt-injection@chat-llm")
    assert risk.demonstrated_by
    assert risk.decision_state is state
    assert risk.accepted is (state is DecisionState.ACCEPTED_DEMONSTRATED)
    if state is DecisionState.NEEDS_JUSTIFICATION:
        assert "rag-probe.json" in risk.decision_note
        assert any(w.code is WarningCode.DECISION_NEEDS_EVIDENCE for w in result.warnings)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("treatment: accept\n    justification: ok\n", "review_by"),
        ("treatment: avoid\n", "justification"),
        ("treatment: transfer\n    justification: insurer\n", "transferred_to"),
    ],
)
def test_incomplete_decision_is_a_located_input_error(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _assessment(
        tmp_path,
        "decisions:\n  - threat: direct-prompt-injection\n    risk_owner: A\n    decided_by: B\n"
        "    decided_on: 2026-11-01\n    " + body,
    )
    with pytest.raises(InputError) as info:
        run_assessment(SYSTEM, path, now=NOW)
    assert message in str(info.value) and "decisions" in str(info.value)


def test_decision_for_unknown_threat_names_file_and_line(tmp_path: Path) -> None:
    path = _assessment(
        tmp_path,
        "decisions:\n  - threat: no-such-threat\n    treatment: mitigate\n    risk_owner: A\n"
        "    decided_by: B\n    decided_on: 2026-11-01\n",
    )
    with pytest.raises(InputError) as info:
        run_assessment(SYSTEM, path, now=NOW)
    assert "no-such-threat" in str(info.value) and ":3:" in str(info.value)


def test_schema_and_json_carry_the_decision(tmp_path: Path) -> None:
    from aisec.analysis.model import AssessmentResult
    from aisec.system.assessment import Assessment

    schema = json.dumps(Assessment.model_json_schema())
    assert "RiskDecision" in schema and "review_by" in schema
    result_schema = json.dumps(AssessmentResult.model_json_schema())
    for field in ("decision_state", "within_appetite", "inputs", "warnings", "assurance"):
        assert field in result_schema
