"""Evidence files: any probe's JSON is accepted; anything else is refused precisely."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisec.common.errors import InputError
from aisec.evidence import index_evidence, load_evidence
from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict


def _write(path: Path, findings: list[Finding]) -> Path:
    report = EvidenceReport(
        tool="aisec-scan",
        tool_version="1",
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        subject="x",
        findings=findings,
    )
    path.write_text(report.model_dump_json())
    return path


def _finding(verdict: Verdict, control: str = "model-artifact-scanning") -> Finding:
    return Finding(
        tool="aisec-scan",
        rule_id="r",
        verdict=verdict,
        severity=Severity.HIGH,
        location="m.pkl",
        message="m",
        threat_ids=["supply-model-poisoning"],
        control_ids=[control],
    )


def test_roundtrip_and_index(tmp_path: Path) -> None:
    good = load_evidence(_write(tmp_path / "a.json", [_finding(Verdict.PASS)]))
    bad = load_evidence(
        _write(tmp_path / "b.json", [_finding(Verdict.MALICIOUS), _finding(Verdict.PASS)])
    )
    idx = index_evidence([("a", good)], {"model-artifact-scanning"}, {"supply-model-poisoning"})
    assert idx.controls["model-artifact-scanning"].outcome == "verified"
    idx = index_evidence(
        [("a", good), ("b", bad)], {"model-artifact-scanning"}, {"supply-model-poisoning"}
    )
    assert idx.controls["model-artifact-scanning"].outcome == "failed"
    assert idx.demonstrated["supply-model-poisoning"]


def test_errors_alone_are_inconclusive_and_unknown_ids_reported(tmp_path: Path) -> None:
    rep = load_evidence(
        _write(tmp_path / "c.json", [_finding(Verdict.ERROR), _finding(Verdict.PASS, "no-such")])
    )
    idx = index_evidence([("c", rep)], {"model-artifact-scanning"}, {"supply-model-poisoning"})
    assert idx.controls["model-artifact-scanning"].outcome == "inconclusive"
    assert idx.unknown_ids == ("no-such",)


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "sarif"}', "not an aisec evidence file"),
        ('{"format": "aisec-evidence/1", "tool": "x"}', "Field required"),
    ],
)
def test_bad_evidence_is_refused(tmp_path: Path, content: str, expect: str) -> None:
    path = tmp_path / "e.json"
    path.write_text(content)
    with pytest.raises(InputError, match=expect) as err:
        load_evidence(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read evidence"):
        load_evidence(tmp_path / "absent.json")
    json.dumps({})  # keep import used for readers


def test_deeply_nested_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        load_evidence(path)
