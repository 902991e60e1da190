"""Findings are plain dataclasses at run time and strictly validated when read back from an
evidence file: the JSON they are written as, and read from, is what it was as a pydantic model."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from aisec.probes.finding import EvidenceReport
from aisec.probes.record import Finding, Severity, Verdict

FINDING = Finding(
    tool="aisec-scan",
    rule_id="pickle.dangerous-global",
    verdict=Verdict.MALICIOUS,
    severity=Severity.CRITICAL,
    location="m.pkl",
    message="imports os.system",
    threat_ids=["T-1"],
    details={"offset": 3},
)


def _report(*findings: Finding) -> EvidenceReport:
    return EvidenceReport(
        tool="aisec-scan",
        tool_version="0",
        generated_at=datetime(2026, 12, 5, tzinfo=UTC),
        subject="m.pkl",
        findings=list(findings),
    )


def test_round_trip_through_an_evidence_file() -> None:
    text = _report(FINDING).model_dump_json()
    row = json.loads(text)["findings"][0]
    assert row == FINDING.to_json()
    assert row["verdict"] == "malicious" and row["control_ids"] == [] and row["sha256"] is None
    back = EvidenceReport.model_validate_json(text).findings[0]
    assert back == FINDING and back.verdict is Verdict.MALICIOUS
    assert Finding.from_json(row) == FINDING


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"surprise": 1}, "surprise"),
        ({"verdict": "fine"}, "verdict"),
        ({"severity": None}, "severity"),
        ({"threat_ids": "T-1"}, "threat_ids"),
    ],
)
def test_a_hand_edited_finding_is_refused_with_its_field(change: dict, where: str) -> None:
    data = json.loads(_report(FINDING).model_dump_json())
    data["findings"][0].update(change)
    with pytest.raises(ValidationError) as info:
        EvidenceReport.model_validate(data)
    assert where in str(info.value)


def test_schema_keeps_descriptions_and_refuses_unknown_keys() -> None:
    schema = EvidenceReport.model_json_schema()["$defs"]["Finding"]
    assert schema["additionalProperties"] is False
    assert "catalogue threat ids" in schema["properties"]["threat_ids"]["description"]
    assert set(schema["required"]) == {
        "tool",
        "rule_id",
        "verdict",
        "severity",
        "location",
        "message",
    }


def test_findings_are_immutable() -> None:
    with pytest.raises(AttributeError):
        FINDING.verdict = Verdict.PASS  # type: ignore[misc]
