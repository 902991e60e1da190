"""Terminal escapes and Rich markup from YAML text never reach the terminal or the Markdown raw
(issue 14 item 12): threats, assess and the Markdown report go through aisec.common.textsafe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples" / "email-agent.yaml"
HOSTILE = 'name: "Agent \\e]0;pwned\\a\\e[2J [red]x[/red] :100: \\u202eevil"'


def _hostile_system(tmp_path: Path) -> Path:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    out = [HOSTILE if line.startswith("name:") else line for line in lines]
    path = tmp_path / "hostile.yaml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_threats_escapes_yaml_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    system = _hostile_system(tmp_path)
    assert main(["threats", str(system)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b]0;pwned" in out and "[red]x[/red]" in out and ":100:" in out


def test_threats_json_keeps_text_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    system = _hostile_system(tmp_path)
    assert main(["threats", str(system), "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "aisec-threats/1"
    assert doc["system_name"].startswith("Agent \x1b]0;pwned")  # JSON escapes it itself
    assert any(t["applicable"] for t in doc["threats"])


def test_markdown_report_escapes_controls(tmp_path: Path) -> None:
    system = _hostile_system(tmp_path)
    assert main(["assess", str(system), "-o", str(tmp_path / "out"), "-f", "md"]) in (0, 1)
    (report,) = (tmp_path / "out").glob("*.md")
    text = report.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "x1b" in text


def test_scan_prints_emoji_codes_and_markup_in_file_names_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "line:100:[bold]x.bin").write_bytes(b"\x00not a model")
    main(["scan", str(tmp_path)])
    out = capsys.readouterr().out
    assert "💯" not in out
    assert ":100:[bold]x.bin" in out.replace("\n", "")
