"""`aisec scan` output in logs and pipes: every path whole on one line, control characters in
hostile file names escaped so they cannot forge extra lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.exitcodes import ExitCode


def test_long_paths_stay_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path.joinpath(*[f"folder-{i:02d}-with-a-long-name" for i in range(6)])
    deep.mkdir(parents=True)
    model = deep / "weights-of-the-production-model.pkl"
    model.write_bytes(b"\x80\x04K\x01.")  # a harmless pickle: the int 1
    assert main(["scan", str(model)]) in (ExitCode.OK, ExitCode.FINDINGS)
    out = capsys.readouterr().out
    assert len(str(model)) > 200
    assert any(str(model) in line for line in out.splitlines())


def test_newline_in_a_file_name_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = tmp_path / "model.pkl\nclean.bin  clean"
    evil.write_bytes(b"\x80\x04cos\nsystem\n.")
    assert main(["scan", str(evil)]) == ExitCode.FINDINGS
    out = capsys.readouterr().out
    assert "model.pkl\\nclean.bin" in out
    assert not any(line.lstrip("│ ").startswith("clean.bin") for line in out.splitlines())


def test_a_file_the_scanner_could_not_examine_exits_3_unless_it_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.safetensors"
    header = b'{"a":' * 5000 + b"1" + b"}" * 5000  # nested deeper than the parser recurses
    broken.write_bytes(len(header).to_bytes(8, "little") + header)
    assert main(["scan", str(broken)]) == ExitCode.INTERNAL_ERROR
    assert "overall: error" in capsys.readouterr().out
    assert main(["scan", str(broken), "--fail-on", "error"]) == ExitCode.FINDINGS
