"""Evidence bound to the system, aged, strict, signed: claimed / verified / signed-verified."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisec.analysis.model import Assurance, WarningCode
from aisec.common.errors import InputError
from aisec.evidence.signature import sign_evidence
from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.service import bundled_examples, run_assessment

EXAMPLES = {sid: (s, a) for sid, s, a in bundled_examples()}
FRAUD, FRAUD_ASSESSMENT = EXAMPLES["fraud-classifier"]
NOW = datetime(2026, 12, 1, tzinfo=UTC)
CONTROL = "model-artifact-scanning"


def _scan(
    tmp_path: Path,
    subject: str,
    *,
    when: datetime | None = None,
    name: str = "scan.json",
    controls: list[str] | None = None,
) -> Path:
    report = EvidenceReport(
        tool="aisec-scan",
        tool_version="test",
        generated_at=when or datetime(2026, 11, 30, tzinfo=UTC),
        subject=subject,
        findings=[
            Finding(
                tool="aisec-scan",
                rule_id="pickle.clean",
                verdict=Verdict.PASS,
                severity=Severity.INFO,
                location=subject,
                message="nothing executable",
                control_ids=controls or [CONTROL],
            )
        ],
    )
    path = tmp_path / name
    path.write_text(report.model_dump_json(), encoding="utf-8")
    return path


def _assessment(tmp_path: Path) -> Path:
    path = tmp_path / "fraud.assessment.yaml"
    path.write_text(
        f"system: fraud-classifier\ncontrols:\n  {CONTROL}: {{status: implemented}}\n"
        "  model-signing: {status: partial}\n",
        encoding="utf-8",
    )
    return path


def _view(result, control_id: str = CONTROL):  # type: ignore[no-untyped-def]
    return next(c for c in result.controls if c.id == control_id)


def test_claimed_evidence_verified_and_signed_are_three_states(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    assessment = _assessment(tmp_path)
    claimed = _view(run_assessment(FRAUD, assessment, now=NOW).result)
    assert claimed.assurance is Assurance.CLAIMED

    evidence = _scan(tmp_path, "/ci/checkout/models/fraud.skops")
    verified = _view(run_assessment(FRAUD, assessment, [evidence], now=NOW).result)
    assert verified.assurance is Assurance.EVIDENCE_VERIFIED

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = tmp_path / "ci.key", tmp_path / "ci.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    sign_evidence(evidence, private)
    run = run_assessment(FRAUD, assessment, [evidence], now=NOW, trusted_keys=[public])
    signed = _view(run.result)
    assert signed.assurance is Assurance.SIGNED_EVIDENCE_VERIFIED
    entry = run.result.evidence[0]
    assert entry.signature == "signed" and entry.signer and len(entry.sha256) == 64
    assert entry.tool == "aisec-scan" and entry.tool_version == "test"
    assert {i.kind for i in run.result.inputs} >= {
        "system",
        "assessment",
        "evidence",
        "trusted-key",
    }

    # one byte changed after signing: the signature no longer verifies, the file does not count
    evidence.write_text(evidence.read_text().replace("nothing executable", "nothing executablE"))
    tampered = run_assessment(FRAUD, assessment, [evidence], now=NOW, trusted_keys=[public])
    assert tampered.result.evidence[0].signature == "invalid"
    assert not tampered.result.evidence[0].counted
    assert _view(tampered.result).assurance is Assurance.CLAIMED
    assert any(w.code is WarningCode.EVIDENCE_SIGNATURE_INVALID for w in tampered.result.warnings)


def test_evidence_about_something_else_does_not_count_and_says_why(tmp_path: Path) -> None:
    # the hand-made "pass everything" file: subject 'anything', every control named
    from aisec.catalog import default_catalog

    everything = sorted(default_catalog().controls)
    evidence = _scan(tmp_path, "anything", controls=everything)
    baseline = run_assessment(FRAUD, FRAUD_ASSESSMENT, now=NOW).result
    result = run_assessment(FRAUD, FRAUD_ASSESSMENT, [evidence], now=NOW).result
    assert result.readiness.overall.score == baseline.readiness.overall.score
    entry = result.evidence[0]
    assert not entry.counted and entry.bound_to is None
    assert "anything" in entry.reason and "declares" in entry.reason
    assert any(w.code is WarningCode.EVIDENCE_UNBOUND for w in result.warnings)
    # a scan of another system's model does not verify this one's supply-chain control
    other = _scan(tmp_path, "/elsewhere/models/other.skops", name="other.json")
    assert not run_assessment(FRAUD, FRAUD_ASSESSMENT, [other], now=NOW).result.evidence[0].counted


def test_stale_evidence_does_not_count(tmp_path: Path) -> None:
    assessment = tmp_path / "a.yaml"
    assessment.write_text(
        f"system: fraud-classifier\nevidence: {{max_age_days: 30}}\n"
        f"controls:\n  {CONTROL}: {{status: implemented}}\n",
        encoding="utf-8",
    )
    old = _scan(tmp_path, "models/fraud.skops", when=datetime(2026, 9, 1, tzinfo=UTC))
    result = run_assessment(FRAUD, assessment, [old], now=NOW).result
    assert not result.evidence[0].counted and "30 days" in result.evidence[0].reason
    assert _view(result).assurance is Assurance.CLAIMED
    assert any(w.code is WarningCode.EVIDENCE_STALE for w in result.warnings)


def test_future_dates_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    future = _scan(tmp_path, "models/fraud.skops", when=datetime(2099, 1, 1, tzinfo=UTC))
    with pytest.raises(InputError, match="future"):
        run_assessment(FRAUD, None, [future], now=NOW)
    dup = tmp_path / "dup.json"
    data = json.loads(_scan(tmp_path, "models/fraud.skops", name="d.json").read_text())
    text = json.dumps(data)
    dup.write_text(text[:-1] + ', "subject": "anything"}', encoding="utf-8")
    with pytest.raises(InputError, match="[Dd]uplicate"):
        run_assessment(FRAUD, None, [dup], now=NOW)


def test_partial_control_stays_partial_with_passing_evidence(tmp_path: Path) -> None:
    evidence = _scan(tmp_path, "models/fraud.skops", controls=["model-signing"])
    result = run_assessment(FRAUD, _assessment(tmp_path), [evidence], now=NOW).result
    view = _view(result, "model-signing")
    assert view.status.value == "partial" and view.effective_status.value == "partial"
    assert view.assurance is Assurance.EVIDENCE_VERIFIED


def test_verified_without_evidence_and_contradicted_claims_warn(tmp_path: Path) -> None:
    system, _ = EXAMPLES["email-agent"]
    assessment = tmp_path / "a.yaml"
    assessment.write_text(
        "system: email-agent\ncontrols:\n  human-approval: {status: verified}\n",
        encoding="utf-8",
    )
    result = run_assessment(system, assessment, now=NOW).result
    codes = {(w.code, w.subject) for w in result.warnings}
    assert (WarningCode.VERIFIED_WITHOUT_EVIDENCE, "human-approval") in codes
    assert (WarningCode.CLAIM_CONTRADICTS_SYSTEM, "human-approval") in codes
    view = _view(result, "human-approval")
    assert view.effective_status.value == "implemented" and view.assurance is Assurance.CLAIMED


def test_folder_scan_counts_only_findings_about_declared_artifacts(tmp_path: Path) -> None:
    """`aisec scan models/` also examined another system's model: only ours counts."""
    report = EvidenceReport(
        tool="aisec-scan",
        tool_version="test",
        generated_at=datetime(2026, 11, 30, tzinfo=UTC),
        subject="models",
        findings=[
            Finding(
                tool="aisec-scan",
                rule_id="pickle.clean",
                verdict=Verdict.PASS,
                severity=Severity.INFO,
                location="models/fraud.skops!schema.json",
                message="ok",
                control_ids=[CONTROL],
            ),
            Finding(
                tool="aisec-scan",
                rule_id="pickle.clean",
                verdict=Verdict.PASS,
                severity=Severity.INFO,
                location="models/other-system.pkl",
                message="ok",
                control_ids=["model-signing"],
            ),
        ],
    )
    path = tmp_path / "folder-scan.json"
    path.write_text(report.model_dump_json(), encoding="utf-8")
    result = run_assessment(FRAUD, _assessment(tmp_path), [path], now=NOW).result
    entry = result.evidence[0]
    assert entry.counted and "1 of 2 findings" in entry.reason
    assert _view(result).assurance is Assurance.EVIDENCE_VERIFIED
    assert _view(result, "model-signing").evidence_outcome is None  # the other file's check
