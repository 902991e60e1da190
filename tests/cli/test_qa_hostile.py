"""Hostile text in a system description must print as text on the terminal, never as Rich markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.exitcodes import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
HOSTILE = "[bold red]x[/] [/] <script>alert(1)</script> =cmd|calc"


def _hostile_system(tmp_path: Path) -> Path:
    text = (EXAMPLES / "email-agent.yaml").read_text()
    text = re.sub(r"^(\s*(?:- )?name: ).*$", rf'\g<1>"{HOSTILE}"', text, flags=re.M)
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "{system}", "-o", "{out}", "-f", "json"],
        ["threats", "{system}"],
    ],
)
def test_markup_in_names_prints_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    system = _hostile_system(tmp_path)
    args = [a.format(system=system, out=tmp_path / "out") for a in argv]
    assert main(args) == ExitCode.OK
    captured = capsys.readouterr()
    assert "[bold red]x[/] [/] <script>" in captured.out
    assert "Error" not in captured.err and "error" not in captured.err


@pytest.mark.parametrize("command", ["assess", "threats", "init"])
def test_billion_laughs_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 7)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    assert main(
        [command, str(bomb), "-o", str(tmp_path / "out")][: 2 if command == "threats" else 4]
    ) == (ExitCode.INPUT_ERROR)
    err = capsys.readouterr().err
    assert "bomb.yaml:" in err and "aliases expand" in err
    assert not (tmp_path / "out").exists()
