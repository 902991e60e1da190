"""The core flow through the real CLI: files written, exit codes, precise errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.exitcodes import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def test_assess_writes_json_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "assess",
            str(EXAMPLES / "fraud-classifier.yaml"),
            "-a",
            str(EXAMPLES / "fraud-classifier.assessment.yaml"),
            "-o",
            str(tmp_path),
            "-f",
            "json,csv",
        ]
    )
    assert code == ExitCode.OK
    data = json.loads((tmp_path / "fraud-classifier.json").read_text())
    assert data["format"] == "aisec-result/2"
    assert data["system_id"] == "fraud-classifier" and data["assessed"] is True
    assert data["totals"]["risks"] == len(data["risks"]) > 5
    rows = list(csv.DictReader((tmp_path / "fraud-classifier-risk-register.csv").open()))
    assert len(rows) == len(data["risks"])
    assert {
        "asset",
        "threat",
        "likelihood",
        "impact",
        "inherent_risk",
        "residual_risk",
        "treatment",
        "owner",
        "role",
    } <= set(rows[0])
    assert "fraud-classifier.json" in capsys.readouterr().out


def test_fail_on_sets_exit_code(tmp_path: Path) -> None:
    args = ["assess", str(EXAMPLES / "email-agent.yaml"), "-o", str(tmp_path), "-f", "json"]
    assert main([*args, "--fail-on", "critical"]) == ExitCode.FINDINGS
    assert main([*args, "--fail-on", "nonsense"]) == ExitCode.INPUT_ERROR


def test_bad_input_exit_2_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (EXAMPLES / "recommender.yaml").read_text().replace("kind: predictive", "kind: oracle")
    )
    assert (
        main(["assess", str(bad), "-o", str(tmp_path / "o"), "-f", "json"]) == ExitCode.INPUT_ERROR
    )
    err = capsys.readouterr().err
    assert "bad.yaml:" in err and "models[0].kind" in err
    assert not (tmp_path / "o").exists(), "nothing is written when input is bad"


def test_assessment_for_another_system_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "assess",
            str(EXAMPLES / "recommender.yaml"),
            "-a",
            str(EXAMPLES / "email-agent.assessment.yaml"),
            "-o",
            str(tmp_path),
            "-f",
            "json",
        ]
    )
    assert code == ExitCode.INPUT_ERROR
    assert "not 'recommender'" in capsys.readouterr().err


def test_unknown_control_in_assessment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "system: recommender\ncontrols:\n  rate-limit: {status: implemented}\n  magic-shield: {status: planned}\n"
    )
    assert (
        main(["assess", str(EXAMPLES / "recommender.yaml"), "-a", str(path), "-o", str(tmp_path)])
        == 2
    )
    err = capsys.readouterr().err
    assert f"{path}:4" in err and "magic-shield" in err


def test_init_scaffolds_a_valid_assessment(tmp_path: Path) -> None:
    target = tmp_path / "agent.assessment.yaml"
    assert main(["init", str(EXAMPLES / "email-agent.yaml"), "-o", str(target)]) == ExitCode.OK
    text = target.read_text()
    assert "indirect-prompt-injection" in text and "input-segregation:" in text
    assert (
        main(["init", str(EXAMPLES / "email-agent.yaml"), "-o", str(target)])
        == ExitCode.INPUT_ERROR
    )
    assert (
        main(
            [
                "assess",
                str(EXAMPLES / "email-agent.yaml"),
                "-a",
                str(target),
                "-o",
                str(tmp_path),
                "-f",
                "json",
            ]
        )
        == 0
    )


def test_threats_command_lists_rationale(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["threats", str(EXAMPLES / "rag-assistant.yaml")]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Indirect prompt injection" in out and "policy-index" in out


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "result"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["title"] == "AssessmentResult"


@pytest.mark.parametrize("argv", [["assess"], ["assess", "--bogus", "x"], ["no-such-command"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == ExitCode.INPUT_ERROR
    assert "Traceback" not in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == ExitCode.OK
    assert "assess" in capsys.readouterr().out


def test_reports_carry_crosswalks_and_ai_act_obligations(tmp_path: Path) -> None:
    code = main(
        [
            "assess",
            str(EXAMPLES / "rag-assistant.yaml"),
            "-a",
            str(EXAMPLES / "rag-assistant.assessment.yaml"),
            "-o",
            str(tmp_path),
            "-f",
            "json,html",
        ]
    )
    assert code == ExitCode.OK
    data = json.loads((tmp_path / "rag-assistant.json").read_text())
    frameworks = {c["framework"]: c for c in data["crosswalks"]}
    assert {"iso42001", "iso27001", "eu-ai-act", "atlas", "owasp-llm"} <= set(frameworks)
    iso = frameworks["iso42001"]
    assert iso["assessed"] is True and iso["counts"]["supported"] + iso["counts"]["partly"] > 0
    articles = {o["article"] for o in data["ai_act_obligations"]["obligations"]}
    assert any(
        a.startswith("eu-ai-act:2024:Art.50") for a in articles
    )  # deployer, generated content
    html = (tmp_path / "rag-assistant.html").read_text()
    assert "EU AI Act obligations" in html and "iso42001" in html


def test_report_files_are_readable_by_others(tmp_path: Path) -> None:
    main(["assess", str(EXAMPLES / "recommender.yaml"), "-o", str(tmp_path), "-f", "json"])
    assert (tmp_path / "recommender.json").stat().st_mode & 0o044


def test_system_file_given_as_assessment_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    system = str(EXAMPLES / "recommender.yaml")
    assert main(["assess", system, "-a", system, "-o", str(tmp_path)]) == ExitCode.INPUT_ERROR
    assert "system description, not an assessment" in capsys.readouterr().err


def test_init_keeps_user_text_inside_comments(tmp_path: Path) -> None:
    src = (EXAMPLES / "recommender.yaml").read_text()
    hostile = tmp_path / "sys.yaml"
    hostile.write_text(
        src.replace("name: Storefront product recommender", 'name: "Shop\\nsystem: evil"', 1)
    )
    target = tmp_path / "a.yaml"
    assert main(["init", str(hostile), "-o", str(target)]) == ExitCode.OK
    assert main(["assess", str(hostile), "-a", str(target), "-o", str(tmp_path), "-f", "json"]) == 0


def test_evidence_for_threats_that_do_not_apply_is_flagged(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict

    report = EvidenceReport(
        tool="aisec-probe",
        tool_version="t",
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        subject="elsewhere",
        findings=[
            Finding(
                tool="aisec-probe",
                rule_id="r",
                verdict=Verdict.FAIL,
                severity=Severity.HIGH,
                location="x",
                message="m",
                threat_ids=["agent-escape"],
                control_ids=["tool-allow-listing"],
            )
        ],
    )
    ev = tmp_path / "ev.json"
    ev.write_text(report.model_dump_json())
    assert (
        main(
            [
                "assess",
                str(EXAMPLES / "recommender.yaml"),
                "-e",
                str(ev),
                "-o",
                str(tmp_path),
                "-f",
                "json",
            ]
        )
        == 0
    )
    warnings = json.loads((tmp_path / "recommender.json").read_text())["warnings"]
    # its subject names nothing the recommender declares: it does not count, and says why
    assert any(w["code"] == "evidence-unbound" and "elsewhere" in w["message"] for w in warnings)
    bound = report.model_copy(update={"subject": "clickstream"})
    ev.write_text(bound.model_dump_json())
    assert (
        main(
            [
                "assess",
                str(EXAMPLES / "recommender.yaml"),
                "-e",
                str(ev),
                "-o",
                str(tmp_path),
                "-f",
                "json",
            ]
        )
        == 0
    )
    warnings = json.loads((tmp_path / "recommender.json").read_text())["warnings"]
    assert any(
        w["code"] == "evidence-not-applicable" and "agent-escape" in w["subject"] for w in warnings
    )


def test_fail_on_is_case_insensitive(tmp_path: Path) -> None:
    args = ["assess", str(EXAMPLES / "email-agent.yaml"), "-o", str(tmp_path), "-f", "json"]
    assert main([*args, "--fail-on", "CRITICAL"]) == ExitCode.FINDINGS


def test_verify_detects_a_one_byte_change_in_an_input(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    system = inputs / "email-agent.yaml"
    assessment = inputs / "email-agent.assessment.yaml"
    system.write_bytes((EXAMPLES / "email-agent.yaml").read_bytes())
    assessment.write_bytes((EXAMPLES / "email-agent.assessment.yaml").read_bytes())
    out = tmp_path / "out"
    argv = ["assess", str(system), "-a", str(assessment), "-o", str(out), "-f", "json"]
    assert main(argv) in (ExitCode.OK, ExitCode.FINDINGS)
    report = out / "email-agent.json"
    manifest = json.loads(report.read_text())["inputs"]
    assert {m["kind"] for m in manifest} == {"system", "assessment"}
    assert all(len(m["sha256"]) == 64 for m in manifest)
    assert main(["verify", str(report)]) == ExitCode.OK
    assert main(["verify", str(report), "--inputs", str(inputs)]) == ExitCode.OK
    data = bytearray(assessment.read_bytes())
    data[-2] = ord("x") if data[-2] != ord("x") else ord("y")  # one byte
    assessment.write_bytes(bytes(data))
    assert main(["verify", str(report)]) == ExitCode.FINDINGS
    assert main(["verify", str(report), "--inputs", str(inputs)]) == ExitCode.FINDINGS
    assessment.unlink()
    assert main(["verify", str(report)]) == ExitCode.FINDINGS


def test_assess_folder_writes_each_report_and_the_portfolio(tmp_path: Path) -> None:
    folder = tmp_path / "systems"
    folder.mkdir()
    for name in ("rag-assistant", "recommender"):
        (folder / f"{name}.yaml").write_bytes((EXAMPLES / f"{name}.yaml").read_bytes())
    (folder / "rag-assistant.assessment.yaml").write_bytes(
        (EXAMPLES / "rag-assistant.assessment.yaml").read_bytes()
    )
    (folder / "notes.yaml").write_text("just: a note\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["assess", str(folder), "-o", str(out), "-f", "html,json"]) == ExitCode.OK
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("rag-assistant", "recommender"):
        assert f'href="{name}.html"' in index
        assert (out / f"{name}.json").is_file()
    rag = json.loads((out / "rag-assistant.json").read_text())
    assert rag["assessed"] and rag["assessor"]
    assert not json.loads((out / "recommender.json").read_text())["assessed"]
    assert "decisions needed" in index.lower() or "awaiting an owner" in index
    # a folder with explicit -a is ambiguous: refused before anything is written
    assert main(["assess", str(folder), "-a", "x.yaml", "-o", str(tmp_path / "o2")]) == 2
    assert not (tmp_path / "o2" / "index.html").exists()


def test_crosswalk_takes_evidence_like_assess(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict

    system = tmp_path / "email-agent.yaml"
    system.write_text((EXAMPLES / "email-agent.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    report = EvidenceReport(
        tool="aisec-probe",
        tool_version="t",
        generated_at=datetime.now(UTC),
        subject="aisec-reference:guarded",
        findings=[
            Finding(
                tool="aisec-probe",
                rule_id="probe:resource-exhaustion",
                verdict=Verdict.FAIL,
                severity=Severity.HIGH,
                location="aisec-reference:guarded#resource-exhaustion",
                message="sponge prompt ran unbounded",
                threat_ids=["resource-exhaustion"],
                control_ids=["limit-resources"],
            )
        ],
    )
    ev = tmp_path / "probe.json"
    ev.write_text(report.model_dump_json(), encoding="utf-8")
    base = [
        "crosswalk",
        "owasp-llm",
        str(system),
        "-a",
        str(EXAMPLES / "email-agent.assessment.yaml"),
    ]
    out1, out2 = tmp_path / "claims.json", tmp_path / "evidence.json"
    assert main([*base, "--json", str(out1)]) == ExitCode.OK
    assert main([*base, "-e", str(ev), "--json", str(out2)]) == ExitCode.OK

    def status(path: Path) -> str:
        items = json.loads(path.read_text())["coverage"]["items"]
        llm10 = next(i for i in items if i["id"].endswith("LLM10"))
        return next(c["status"] for c in llm10["controls"] if c["control"] == "limit-resources")

    assert status(out1) == "implemented"
    assert status(out2) == "not-implemented"


def test_init_scaffolds_the_decision_block(tmp_path: Path) -> None:
    from aisec.system.assessment import load_assessment

    target = tmp_path / "a.yaml"
    assert main(["init", str(EXAMPLES / "email-agent.yaml"), "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "decisions: []" in text and "#  - threat: agent-escape" in text
    assert "supplier_provided: true" in text and "approvers: []" in text
    loaded = load_assessment(target)
    assert loaded.decisions == [] and loaded.controls["small-model"].supplier_provided
    # uncommenting one scaffolded decision and filling it gives a valid decision
    filled = text.replace("decisions: []\n", "decisions:\n", 1).replace(
        "#  - threat: agent-escape\n#    component: agent-llm\n#    treatment: mitigate\n"
        "#    risk_owner: null\n#    decided_by: null\n#    decided_on: null\n",
        "  - threat: agent-escape\n    component: agent-llm\n    treatment: mitigate\n"
        "    risk_owner: Sales Ops\n    decided_by: CISO\n    decided_on: 2026-12-01\n",
        1,
    )
    target.write_text(filled, encoding="utf-8")
    assert load_assessment(target).decisions[0].threat == "agent-escape"
