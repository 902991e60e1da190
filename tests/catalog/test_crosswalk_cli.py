"""`aisec crosswalk` end to end through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec.catalog.frameworks import FRAMEWORK_KEYS
from aisec.cli import main
from aisec.common.exitcodes import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def test_list_names_every_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crosswalk", "--list"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert all(key in out for key in FRAMEWORK_KEYS)


@pytest.mark.parametrize("key", FRAMEWORK_KEYS)
def test_catalogue_coverage_json(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cw.json"
    assert main(["crosswalk", key, "--json", str(out)]) == ExitCode.OK
    data = json.loads(out.read_text())
    assert data["format"] == "aisec-crosswalk/1" and data["obligations"] is None
    coverage = data["coverage"]
    assert coverage["framework"] == key and coverage["assessed"] is False
    statuses = {item["status"] for item in coverage["items"]}
    assert statuses <= {"touched", "not-mapped", "outside-scope"} and "touched" in statuses
    assert "items:" in capsys.readouterr().out


def test_assessed_ai_act_with_obligations(tmp_path: Path) -> None:
    out = tmp_path / "act.json"
    code = main(
        [
            "crosswalk",
            "eu-ai-act",
            str(EXAMPLES / "fraud-classifier.yaml"),
            "--assessment",
            str(EXAMPLES / "fraud-classifier.assessment.yaml"),
            "--json",
            str(out),
        ]
    )
    assert code == ExitCode.OK
    data = json.loads(out.read_text())
    coverage = data["coverage"]
    assert coverage["assessed"] is True
    assert sum(coverage["counts"].values()) == len(coverage["items"])
    art155 = next(i for i in coverage["items"] if i["id"] == "eu-ai-act:2024:Art.15(5)")
    # a fraud detector is not an Annex III system (fraud detection is carved out of 5(b)), so the
    # article is reported as not applicable with the reason, and its controls are still listed
    assert art155["status"] in {"supported", "partly", "not-supported", "not-applicable"}
    if art155["status"] == "not-applicable":
        assert "not high-risk" in art155["note"]
    assert any(c["status"] for c in art155["controls"])
    assert data["obligations"]["system"] == "fraud-classifier"
    assert "not legal advice" in data["obligations"]["disclaimer"]


def test_system_without_assessment_marks_inapplicable_threat_items(tmp_path: Path) -> None:
    out = tmp_path / "llm.json"
    assert (
        main(
            [
                "crosswalk",
                "owasp-agentic",
                str(EXAMPLES / "fraud-classifier.yaml"),
                "--json",
                str(out),
            ]
        )
        == ExitCode.OK
    )
    items = json.loads(out.read_text())["coverage"]["items"]
    asi01 = next(i for i in items if i["id"] == "owasp-agentic:2026:ASI01")
    assert asi01["status"] == "not-applicable"  # no LLM, so no prompt injection


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crosswalk", "nope"], "unknown framework 'nope'"),
        (["crosswalk"], "name a framework"),
        (["crosswalk", "iso42001", "--assessment", "x.yaml"], "needs the SYSTEM.yaml"),
        (
            [
                "crosswalk",
                "iso42001",
                str(EXAMPLES / "rag-assistant.yaml"),
                "--assessment",
                str(EXAMPLES / "fraud-classifier.assessment.yaml"),
            ],
            "assessment is for",
        ),
        (["crosswalk", "iso42001", "missing.yaml"], "cannot read file"),
    ],
)
def test_bad_input_exits_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == ExitCode.INPUT_ERROR
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_bad_annex_iii_area_is_reported_with_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "rag-assistant.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace(
            "eu_ai_act_role: deployer", "eu_ai_act_role: deployer\n  annex_iii_area: hiring"
        )
    )
    assert main(["crosswalk", "eu-ai-act", str(bad)]) == ExitCode.INPUT_ERROR
    err = capsys.readouterr().err.replace("\n", " ")
    assert "regulatory.annex_iii_area" in err and "hiring" in err
    line = next(n for n, t in enumerate(bad.read_text().splitlines(), 1) if "hiring" in t)
    assert f"bad.yaml:{line}:" in err


def test_table_shows_evidence_and_escapes_markup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    import aisec.cli.crosswalk as cli

    monkeypatch.setattr(cli, "console", Console(width=400, no_color=True))
    assessment = tmp_path / "a.yaml"
    assessment.write_text(
        "system: rag-assistant\ncontrols:\n  rate-limit:\n    status: verified\n"
        "    evidence: ['[red]gateway-config[/red]']\n",
        encoding="utf-8",
    )
    code = main(
        [
            "crosswalk",
            "iso27001",
            str(EXAMPLES / "rag-assistant.yaml"),
            "--assessment",
            str(assessment),
        ]
    )
    assert code == ExitCode.OK
    # 'verified' without an evidence file counts as implemented (claimed), as in assess
    assert "rate-limit (intersects; implemented) evidence: [red]gateway-config[/red]" in (
        capsys.readouterr().out
    )


def test_table_gives_the_reason_an_item_is_not_applicable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An auditor reading the table sees why an AI Act article is not this system's, not a gap."""
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line, so the cell reads as one text
    system, assessment = EXAMPLES / "email-agent.yaml", EXAMPLES / "email-agent.assessment.yaml"
    code = main(["crosswalk", "eu-ai-act", str(system), "-a", str(assessment)])
    assert code == ExitCode.OK
    out = " ".join(capsys.readouterr().out.split())
    art73 = out[out.index("Art.73") :][:400]
    assert "not-applicable" in art73 and "not high-risk" in art73
