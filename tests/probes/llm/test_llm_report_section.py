from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.reports.sections import SECTIONS, llm


def _report(subject: str, title: str) -> EvidenceReport:
    finding = Finding(
        tool="aisec-probe",
        rule_id="probe:prompt-injection",
        verdict=Verdict.FAIL,
        severity=Severity.HIGH,
        location="x",
        message="m",
        threat_ids=["direct-prompt-injection"],
        control_ids=["model-alignment"],
        details={
            "title": title,
            "n": 20,
            "successes": 5,
            "asr": 0.25,
            "asr_ci95": [0.11, 0.47],
            "false_refusal": {"n": 4, "count": 1},
            "refs": ["owasp-llm:2025:LLM01"],
            "by_obfuscation": {
                "none": {"successes": 0, "n": 10},
                "base64": {"successes": 5, "n": 10},
            },
        },
    )
    skipped = Finding(
        tool="aisec-probe",
        rule_id="probe:excessive-agency",
        verdict=Verdict.NOT_SCANNED,
        severity=Severity.CRITICAL,
        location="x",
        message="m",
        details={"title": "Agency", "n": 0, "skipped_reason": "no tools declared"},
    )
    return EvidenceReport(
        tool="aisec-probe",
        tool_version="0",
        generated_at=datetime.now(UTC),
        subject=subject,
        findings=[finding, skipped],
        summary={"seed": 1},
    )


def test_section_is_registered() -> None:
    assert SECTIONS["aisec-probe"] is llm and llm.TITLE


def test_renders_escaped_table_with_svg_bars() -> None:
    html = str(llm.render_html([_report("http://t/<script>alert(1)</script>", "<b>PI</b>")]))
    assert "<script" not in html and "&lt;script&gt;" in html and "&lt;b&gt;PI" in html
    assert html.count("<svg") == 1  # the not-tested family has no bar
    assert 'x="17.6"' in html and "25% (11–47%)" in html
    assert "1/4 (25%)" in html and "no tools declared" in html
    assert "By variant: none 0/10, base64 5/10." in html
    assert "https://" not in html


def test_tolerates_missing_details() -> None:
    report = _report("s", "t")
    bare = report.model_copy(update={"findings": [replace(report.findings[0], details={})]})
    assert "not tested" in str(llm.render_html([bare]))
