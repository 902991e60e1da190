"""`aisec catalog list|show|validate` end to end through `aisec.cli.main`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aisec.catalog import Catalog
from aisec.cli import main
from aisec.common.exitcodes import ExitCode

WriteOverlay = Callable[..., Path]
Overlay = Callable[[str], str]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("threats", ["indirect-prompt-injection", "agent-escape", "6.12", "Annex B"]),
        ("controls", ["rate-limit", "ACC", "integrator", "tool-allow-listing"]),
        ("categories", ["GOV", "AGT", "Supply chain"]),
        ("practices", ["zero-trust", "intent-based-agent-security"]),
    ],
)
def test_list_table(capsys: pytest.CaptureFixture[str], kind: str, expected: list[str]) -> None:
    assert main(["catalog", "list", kind]) == ExitCode.OK
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


@pytest.mark.parametrize(
    ("kind", "attr"),
    [
        ("threats", "threats"),
        ("controls", "controls"),
        ("categories", "categories"),
        ("practices", "practices"),
    ],
)
def test_list_json_is_complete(
    capsys: pytest.CaptureFixture[str], catalog: Catalog, kind: str, attr: str
) -> None:
    assert main(["catalog", "list", kind, "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in data] == list(getattr(catalog, attr))


def test_list_rejects_unknown_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", "widgets"]) == ExitCode.INPUT_ERROR
    err = capsys.readouterr().err
    assert "unknown kind 'widgets'" in err and "practices" in err


def test_show_threat_lists_mitigations_with_effect_sizes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "show", "indirect-prompt-injection", "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    by_control = {m["control"]: m for m in data["mitigated_by"]}
    assert by_control["input-segregation"]["likelihood"] == 2
    assert by_control["human-approval"]["impact"] == 2
    # strongest first
    sizes = [m["likelihood"] + m["impact"] for m in data["mitigated_by"]]
    assert sizes == sorted(sizes, reverse=True)

    assert main(["catalog", "show", "indirect-prompt-injection"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "controls mitigating indirect-prompt-injection" in out
    assert "input-segregation" in out and "atlas:AML.T0051.001" in out
    assert "ISO/IEC 27090: 6.12 (status: inferred)" in out


@pytest.mark.parametrize(
    ("record_id", "expected"),
    [
        (
            "rate-limit",
            [
                "threats mitigated by rate-limit",
                "model-exfiltration",
                "availability",
                "probe:resource-exhaustion",
                "#RATELIMIT",
            ],
        ),
        ("explainability", ["conflicts with", "obscure-confidence"]),
        ("gov", ["category GOV", "ai-program"]),
        ("zero-trust", ["practice zero-trust", "zt-least-privilege", "least-model-privilege"]),
    ],
)
def test_show_other_records(
    capsys: pytest.CaptureFixture[str], record_id: str, expected: list[str]
) -> None:
    assert main(["catalog", "show", record_id]) == ExitCode.OK
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("prompt-injecton", "direct-prompt-injection"),
        ("ratelimit", "rate-limit"),
        ("zero-trsut", "zero-trust"),
    ],
)
def test_show_unknown_id_suggests(
    capsys: pytest.CaptureFixture[str], typo: str, suggestion: str
) -> None:
    assert main(["catalog", "show", typo]) == ExitCode.INPUT_ERROR
    err = capsys.readouterr().err
    assert f"unknown catalogue id '{typo}'" in err
    assert "did you mean" in err and suggestion in err


def test_show_with_overlay(
    capsys: pytest.CaptureFixture[str], write_overlay: WriteOverlay, control_overlay: Overlay
) -> None:
    path = write_overlay(control_overlay("evasion"))
    assert main(["catalog", "show", "evasion", "--overlay", str(path)]) == ExitCode.OK
    assert "waf-for-llm" in capsys.readouterr().out
    assert main(["catalog", "list", "controls", "--json", "--overlay", str(path)]) == ExitCode.OK
    assert "waf-for-llm" in [r["id"] for r in json.loads(capsys.readouterr().out)]
    # without the overlay the record does not exist
    assert main(["catalog", "show", "waf-for-llm"]) == ExitCode.INPUT_ERROR


def test_validate_bundled_and_good_overlay(
    capsys: pytest.CaptureFixture[str], write_overlay: WriteOverlay, control_overlay: Overlay
) -> None:
    assert main(["catalog", "validate"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "24 threats, 65 controls, 10 categories, 8 practices" in out and "valid" in out
    path = write_overlay(control_overlay("evasion"))
    assert main(["catalog", "validate", str(path)]) == ExitCode.OK
    assert "66 controls" in capsys.readouterr().out


def test_validate_bad_overlay_reports_location(
    capsys: pytest.CaptureFixture[str], write_overlay: WriteOverlay, control_overlay: Overlay
) -> None:
    path = write_overlay(control_overlay("no-such-threat"), "bad.yaml")
    assert main(["catalog", "validate", str(path)]) == ExitCode.INPUT_ERROR
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())  # undo Rich line wrapping
    assert "bad.yaml:10" in err
    assert "effects" in err and "unknown threat 'no-such-threat'" in err
    assert "valid" not in captured.out


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    for command in ("list", "show", "validate"):
        assert command in out


def test_overlay_text_is_not_interpreted_as_markup(
    capsys: pytest.CaptureFixture[str], write_overlay: WriteOverlay, control_overlay: Overlay
) -> None:
    hostile = control_overlay("evasion").replace(
        "name: LLM firewall in front of the chatbot", "name: '[red]boom[/red] [link=http://x]'"
    )
    path = write_overlay(hostile)
    assert main(["catalog", "show", "waf-for-llm", "--overlay", str(path)]) == ExitCode.OK
    assert "[red]boom[/red] [link=http://x]" in capsys.readouterr().out
