"""`aisec mltest` end to end: evidence JSON, exit codes, determinism, missing extra."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.errors import MissingExtraError
from aisec.probes.finding import EvidenceReport

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "models"
QUICK = ["--evasion-samples", "8", "--budgets", "20,200", "--eps", "0.1,0.5"]


def _run(args: list[str], out: Path) -> tuple[int, EvidenceReport]:
    code = main(["mltest", *args, *QUICK, "--json", str(out)])
    return code, EvidenceReport.model_validate_json(out.read_text())


def test_fraud_demo_produces_four_measurements(tmp_path: Path):
    code, report = _run(
        [
            "--model",
            str(EXAMPLES / "fraud.skops"),
            "--data",
            str(EXAMPLES / "fraud-train.csv"),
            "--test",
            str(EXAMPLES / "fraud-test.csv"),
            "--label-column",
            "is_fraud",
        ],
        tmp_path / "out.json",
    )
    assert report.tool == "aisec-mltest"
    rules = {f.rule_id: f for f in report.findings}
    assert set(rules) == {
        "mltest.evasion",
        "mltest.membership-inference",
        "mltest.extraction",
        "mltest.poisoning",
    }
    assert all(f.verdict.value in {"pass", "fail"} for f in report.findings)
    assert code == (1 if any(f.verdict.value == "fail" for f in report.findings) else 0)
    # a local model file: runtime controls were not in the attack path, so not claimed
    assert rules["mltest.extraction"].control_ids == []
    assert "rate-limit" in rules["mltest.extraction"].details["controls_not_exercised"]
    assert "evasion-robust-model" in rules["mltest.evasion"].control_ids
    assert rules["mltest.membership-inference"].threat_ids[0] == "membership-inference"
    assert rules["mltest.evasion"].sha256 and len(rules["mltest.evasion"].sha256) == 64
    assert report.summary["library_versions"]["adversarial-robustness-toolbox"] != "absent"
    assert report.summary["split"]["members"] == 1200


def test_same_seed_same_results(tmp_path: Path):
    args = ["--dataset", "wine", "--demo-model", "logreg", "--seed", "7"]
    _, first = _run(args, tmp_path / "a.json")
    _, second = _run(args, tmp_path / "b.json")
    assert [f.to_json() for f in first.findings] == [f.to_json() for f in second.findings]
    _, other = _run([*args[:-1], "8"], tmp_path / "c.json")
    assert [f.details for f in other.findings] != [f.details for f in first.findings]


def test_no_holdout_skips_membership(tmp_path: Path):
    code, report = _run(
        [
            "--model",
            str(EXAMPLES / "fraud.skops"),
            "--data",
            str(EXAMPLES / "fraud-test.csv"),
            "--label-column",
            "is_fraud",
            "--tests",
            "membership-inference",
        ],
        tmp_path / "o.json",
    )
    assert code == 4
    assert report.findings[0].verdict.value == "not-scanned" and report.skipped


def test_thresholds_file_changes_verdict(tmp_path: Path):
    lax = tmp_path / "t.yaml"
    lax.write_text("extraction:\n  max_fidelity: 1.0\n")
    code, report = _run(
        ["--dataset", "iris", "--tests", "extraction", "--thresholds", str(lax)],
        tmp_path / "o.json",
    )
    assert code == 0 and report.findings[0].verdict.value == "pass"
    lax.write_text("extraction:\n  max_fidelty: 1.0\n")
    assert main(["mltest", "--dataset", "iris", "--thresholds", str(lax)]) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--dataset", "mnist"],
        ["--dataset", "iris", "--tests", "nope"],
        ["--data", "missing.csv", "--label-column", "y"],
        ["--dataset", "iris", "--eps", "0.1,x"],
        ["--dataset", "iris", "--model", "a.skops", "--endpoint", "http://127.0.0.1:9"],
        [],
    ],
)
def test_bad_input_exit_2(args):
    assert main(["mltest", *args]) == 2


def test_missing_extra(monkeypatch, tmp_path: Path):
    from aisec.probes.ml.deps import require_ml

    monkeypatch.setitem(sys.modules, "art", None)
    with pytest.raises(MissingExtraError) as err:
        require_ml()
    assert "pip install 'aisec[ml]'" in str(err.value)
    assert main(["mltest", "--dataset", "iris", "--json", str(tmp_path / "x.json")]) == 3
    assert not (tmp_path / "x.json").exists()


def test_labels_only_defence_is_measured_and_claimed(tmp_path: Path):
    args = ["--dataset", "digits", "--tests", "membership-inference,extraction"]
    _, plain = _run(args, tmp_path / "a.json")
    _, hidden = _run([*args, "--labels-only"], tmp_path / "b.json")
    auc = [r.findings[0].details["verdict_basis"]["auc"] for r in (plain, hidden)]
    assert auc[1] < auc[0] - 0.1
    assert hidden.summary["target_output"] == "labels"
    assert "obscure-confidence" in hidden.findings[1].control_ids
    assert "obscure-confidence" not in plain.findings[1].control_ids


@pytest.mark.parametrize(
    "deployed, defence, expect",
    [
        (False, False, {"obfuscate-training-data", "small-model"}),
        (False, True, {"obfuscate-training-data", "small-model", "obscure-confidence"}),
        (True, False, {"obfuscate-training-data", "small-model", "obscure-confidence"}),
    ],
)
def test_scope_decides_membership_controls(deployed, defence, expect):
    from aisec.probes.ml.findings import Scope
    from aisec.probes.ml.interface import MLTest

    used, unused = Scope(deployed, defence).controls(MLTest.MEMBERSHIP_INFERENCE)
    assert set(used) == expect and not set(used) & set(unused)
    ext, _ = Scope(deployed, defence).controls(MLTest.EXTRACTION)
    assert ("rate-limit" in ext) is deployed


def test_query_budget_exhaustion_is_a_recorded_error(tmp_path: Path):
    code, report = _run(
        ["--dataset", "iris", "--tests", "extraction,poisoning", "--query-budget", "50"],
        tmp_path / "o.json",
    )
    verdicts = {f.rule_id: f.verdict.value for f in report.findings}
    assert verdicts["mltest.extraction"] == "error"
    assert verdicts["mltest.poisoning"] in {"pass", "fail"}  # the other test still ran
    assert "query budget of 50 rows exhausted" in report.errors[0]
    assert code == (1 if verdicts["mltest.poisoning"] == "fail" else 3)
