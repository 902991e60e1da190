"""The HTML section: charts from real evidence, everything escaped, malformed details tolerated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.probes.ml.runner import Job, run
from aisec.probes.ml.settings import Settings
from aisec.reports.sections import ml

HOSTILE = '<script>alert(1)</script>"&'


def _finding(rule: str, details: dict) -> Finding:
    return Finding(
        tool="aisec-mltest",
        rule_id=rule,
        verdict=Verdict.FAIL,
        severity=Severity.HIGH,
        location=HOSTILE,
        message=HOSTILE,
        details=details,
    )


def _report(findings: list[Finding]) -> EvidenceReport:
    return EvidenceReport(
        tool="aisec-mltest",
        tool_version="0",
        subject=HOSTILE,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        findings=findings,
        summary={"seed": HOSTILE, "split": {"members": 3}},
    )


def test_real_run_renders_three_charts(cancer):
    from sklearn.linear_model import LogisticRegression

    split, x_tr, y_tr = cancer
    model = LogisticRegression(max_iter=5000).fit(split.x_members, split.y_members)
    from aisec.probes.ml.wrappers import EstimatorTarget

    settings = Settings(
        evasion_samples=6,
        hsj_max_iter=2,
        hsj_max_eval=30,
        hsj_init_eval=5,
        extraction_budgets=(20, 100),
        shadow_models=1,
        mia_max_samples=100,
    )
    job = Job(
        target=EstimatorTarget(model, "lr"),
        split=split,
        train_x=x_tr,
        train_y=y_tr,
        subject="lr",
        settings=settings,
    )
    html = str(ml.render_html([run(job)]))
    assert html.count("<svg") == 3
    assert "Membership inference ROC (log axes)" in html and "<polyline" in html
    assert "Most suspicious training rows" in html


def test_hostile_strings_are_escaped():
    details = {
        "blackbox": {"attack": HOSTILE, "robust_accuracy": {"0.1": 0.9, "1": 0.5}},
        "clean_accuracy": 1.0,
    }
    html = str(ml.render_html([_report([_finding("mltest.evasion", details)])]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize(
    "rule, details",
    [
        ("mltest.evasion", {"blackbox": "x", "whitebox": {"robust_accuracy": {"a": "b"}}}),
        ("mltest.membership-inference", {"threshold_attack": {"roc": [[1], "x", [None, 2]]}}),
        ("mltest.extraction", {"fidelity": {"10": float("nan"), "x": 1}}),
        ("mltest.poisoning", {"top_rows": [1, {"index": HOSTILE, "reasons": "no"}]}),
    ],
)
def test_malformed_details_do_not_crash(rule, details):
    html = str(ml.render_html([_report([_finding(rule, details)])]))
    assert "<svg" not in html and "card" in html


def test_other_tools_ignored():
    report = _report([])
    report.tool = "aisec-scan"
    assert str(ml.render_html([report])) == ""
