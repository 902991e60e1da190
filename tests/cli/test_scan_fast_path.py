"""`aisec scan` without Typer: the same outcome as the Typer command for every line it takes,
Typer for every line it does not, and no Typer, Click, Rich or pydantic in the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.cli.scan_fast import parse

EVIL = b"\x80\x02cos\nsystem\nq\x00X\x01\x00\x00\x00xq\x01\x85q\x02Rq\x03."
CLEAN = b"\x80\x04}\x94\x8c\x01a\x94K\x01s."


@pytest.fixture
def models(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    (root / "clean.pkl").write_bytes(CLEAN)
    (root / "evil.pkl").write_bytes(EVIL)
    (root / "README.md").write_text("a model card\n")
    return root


def _run(args: list[str], fast: bool, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args, fast=fast)
    out, err = capsys.readouterr()
    return code, out, err


def _same_files(a: Path, b: Path) -> None:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    left.pop("generated_at"), right.pop("generated_at")
    assert left == right


@pytest.mark.parametrize(
    "extra",
    [
        ["-q"],
        [],
        ["-q", "--fail-on", "never"],
        ["--fail-on", "high", "--no-hash"],
        ["-q", "--fail-on", "info", "-j", "2"],
    ],
)
def test_fast_path_prints_and_exits_like_typer(
    models: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["scan", str(models), *extra]
    assert parse(args[1:]) is not None  # this test is about lines the fast reader takes
    assert _run(args, True, capsys) == _run(args, False, capsys)


def test_fast_path_writes_the_same_json_sarif_and_manifest(
    models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {}
    for fast in (True, False):
        tag = "fast" if fast else "typer"
        args = ["scan", str(models), "-q", "--json", str(tmp_path / f"{tag}.json")]
        args += ["--sarif", str(tmp_path / f"{tag}.sarif"), "--write-manifest"]
        args += [str(tmp_path / f"{tag}.sha256")]
        outputs[tag] = _run(args, fast, capsys)
    assert outputs["fast"] == outputs["typer"] and outputs["fast"][0] == 1
    _same_files(tmp_path / "fast.json", tmp_path / "typer.json")
    sarif = [json.loads((tmp_path / f"{t}.sarif").read_text()) for t in ("fast", "typer")]
    assert sarif[0] == sarif[1]
    assert (tmp_path / "fast.sha256").read_text() == (tmp_path / "typer.sha256").read_text()


def test_json_to_stdout_moves_the_summary_to_stderr(
    models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["scan", str(models / "clean.pkl"), "-q", "--json", "-"], True, capsys)
    assert code == 0 and json.loads(out)["summary"]["verdict"] == "clean"
    assert err == "all 1 file(s) fully examined, no issues — 1 clean\n"


def test_errors_read_the_same_on_both_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.pkl"
    os.mkfifo(fifo)
    lines = [
        ["scan", str(tmp_path / "missing.pkl"), "-q"],
        ["scan", str(fifo)],
        ["scan", str(tmp_path), "--json", str(tmp_path)],  # a folder where a file goes
        ["scan", str(tmp_path), "--no-hash", "--write-manifest", str(tmp_path / "m")],
    ]
    for args in lines:
        assert parse(args[1:]) is not None
        fast, typer = _run(args, True, capsys), _run(args, False, capsys)
        assert fast == typer and fast[0] == 2 and "error:" in fast[2], args


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--help"],
        ["m.pkl", "--max-depth", "3"],
        ["m.pkl", "--json=out.json"],
        ["m.pkl", "-q", "-q"],
        ["m.pkl", "--fail-on", "suspicious"],  # legacy word: Typer prints the deprecation
        ["m.pkl", "--fail-on", "HIGH"],
        ["m.pkl", "--json"],
        ["m.pkl", "--json", "--quiet"],
        ["m.pkl", "-j", "0"],
        ["m.pkl", "-j", "two"],
        ["--", "m.pkl"],
        ["-"],
        [""],
        ["m.pkl", "-qv"],
    ],
)
def test_lines_the_fast_reader_leaves_to_typer(words: list[str]) -> None:
    assert parse(words) is None


def test_typer_still_answers_what_the_fast_reader_declines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.pkl").write_bytes(CLEAN)
    code, out, _ = _run(["scan", "--help"], True, capsys)
    assert code == 0 and "--jobs" in out and "--max-depth" in out
    assert "one per core" in " ".join(out.replace("│", " ").split())  # no markup eaten
    code, _, err = _run(["scan", str(tmp_path / "m.pkl"), "-j", "0"], True, capsys)
    assert code == 2 and "--jobs" in err
    code, out, err = _run(
        ["scan", str(tmp_path / "m.pkl"), "--fail-on", "suspicious"], True, capsys
    )
    assert code == 0 and "deprecated" in err


PROBE = """
import json, sys, types
from aisec.cli import main
code = main(["scan", *sys.argv[1:]])
mods = {m: ("deferred" if type(sys.modules[m]) is not types.ModuleType else "loaded")
        for m in ("typer", "click", "rich", "pydantic", "inspect", "ast") if m in sys.modules}
print(json.dumps({"code": code, "modules": mods}))
"""


@pytest.mark.parametrize("extra", [["-q"], ["-q", "--json", "{out}"], ["-q", "--sarif", "{out}"]])
def test_a_plain_scan_loads_no_cli_or_validation_framework(
    tmp_path: Path, extra: list[str]
) -> None:
    """Start-up is most of a small scan (issue 15): the fast path never imports Typer, Click,
    Rich or pydantic (not for --json either), and `inspect`/`ast` (pulled in by dataclasses)
    stay deferred, which needs a docstring on every dataclass the scan defines."""
    path = tmp_path / "small.pkl"
    path.write_bytes(CLEAN)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    words = [w.format(out=tmp_path / "out.json") for w in extra]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), *words],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "modules": {"inspect": "deferred", "ast": "deferred"}}


def test_a_deferred_module_works_when_something_uses_it() -> None:
    code = """
import sys
from aisec.cli.runtime import defer_imports
defer_imports(("inspect",))
import inspect
stand_in = sys.modules["inspect"]
def f(a, b=2): pass
print(inspect.signature(f), sys.modules["inspect"] is not stand_in, inspect.isfunction(f))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "(a, b=2) True True"
