"""One command-line grammar (docs/cli.md): -e takes several paths, --fail-on one vocabulary,
--json PATH|-, broken pipes exit 0, outside text never reaches the terminal raw."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.cli.options import FailLevel, expand_multi_value, fails, parse_fail_on
from aisec.common.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
SYSTEM = str(EXAMPLES / "email-agent.yaml")


class _Arg:
    param_type_name = "argument"

    def __init__(self, required: bool = True, nargs: int = 1) -> None:
        self.required, self.nargs = required, nargs


class _Opt:
    param_type_name = "option"

    def __init__(self, *opts: str, is_flag: bool = False) -> None:
        self.opts, self.secondary_opts, self.is_flag, self.count = list(opts), [], is_flag, False


PARAMS = [_Arg(), _Opt("-e", "--evidence"), _Opt("-o", "--out"), _Opt("--gaps", is_flag=True)]


def test_several_values_after_one_evidence_flag() -> None:
    assert expand_multi_value(PARAMS, ["s.yaml", "-e", "a.json", "b.json", "-o", "x"]) == [
        "s.yaml",
        "-e",
        "a.json",
        "-e",
        "b.json",
        "-o",
        "x",
    ]
    # the required positional after the run is given back to SYSTEM
    assert expand_multi_value(PARAMS, ["-e", "a.json", "b.json", "s.yaml"]) == [
        "-e",
        "a.json",
        "-e",
        "b.json",
        "s.yaml",
    ]
    assert expand_multi_value(PARAMS, ["-o", "x", "s.yaml", "--gaps"]) == [
        "-o",
        "x",
        "s.yaml",
        "--gaps",
    ]


def test_assess_reads_every_evidence_path_after_one_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "assess",
            "-e",
            str(tmp_path / "one.json"),
            str(tmp_path / "two.json"),
            SYSTEM,
            "-o",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "one.json" in capsys.readouterr().err  # read as evidence, not as the system


def test_fail_on_vocabulary() -> None:
    assert parse_fail_on("HIGH") is FailLevel.HIGH
    assert parse_fail_on(None) is None
    with pytest.raises(InputError, match="unknown level"):
        parse_fail_on("severe")
    assert (
        parse_fail_on("malicious", legacy={"malicious": FailLevel.CRITICAL}) is FailLevel.CRITICAL
    )
    assert fails([4], "critical") and not fails([3], "critical")
    assert not fails([4], "never") and fails([0], "info") and not fails([], "info")


def test_fail_on_rejects_unknown_level_on_mltest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mltest", "--fail-on", "severe"]) == 2
    assert "info|low|medium|high|critical|never" in capsys.readouterr().err


def test_catalog_json_path_or_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "threats.json"
    assert main(["catalog", "list", "threats", "--json", str(target)]) == 0
    assert json.loads(target.read_text())[0]["id"]
    assert main(["catalog", "list", "threats", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["catalog", "show", "prompt-injection-direct", "--json"]) in (0, 2)
    captured = capsys.readouterr()
    assert "deprecated" in captured.err  # the old switch still works, with a note


def test_catalog_validate_takes_overlay_option(tmp_path: Path) -> None:
    assert main(["catalog", "validate", "--overlay", str(tmp_path / "missing.yaml")]) == 2


def test_broken_pipe_exits_quietly() -> None:
    run = subprocess.run(
        f"set -o pipefail; {sys.executable} -m aisec catalog list controls --json - | head -c 10",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def test_device_as_system_is_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["threats", "/dev/zero"]) == 2
    assert "only regular files" in capsys.readouterr().err


def test_markup_and_escapes_in_file_names_stay_literal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "line:100:[red]x\x1b[2J.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    assert main(["threats", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line:100:[red]x\\x1b[2J.yaml:2" in err
    assert "\x1b" not in err and "💯" not in err


def test_same_validation_in_threats_and_assess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (EXAMPLES / "fraud-classifier.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "typo.yaml"
    bad.write_text(
        source.replace("regulatory:\n", "regulatory:\n  annex_iii_area: employement\n", 1),
        encoding="utf-8",
    )
    for argv in (["threats", str(bad)], ["assess", str(bad), "-o", str(tmp_path / "o")]):
        assert main(argv) == 2
        assert "annex_iii_area" in capsys.readouterr().err


def test_crosswalk_list_is_positional(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crosswalk", "list"]) == 0
    assert "atlas" in capsys.readouterr().out
    assert main(["crosswalk", "--list"]) == 0
    assert "deprecated" in capsys.readouterr().err


def test_scan_fail_on_shared_vocabulary_and_legacy_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.bin").write_bytes(b"\x00unknown format")
    assert main(["scan", str(tmp_path), "-q", "--fail-on", "info"]) == 1  # not-scanned counts
    assert main(["scan", str(tmp_path), "-q", "--fail-on", "not-scanned"]) == 1
    assert "deprecated" in capsys.readouterr().err
    assert main(["scan", str(tmp_path), "-q", "--fail-on", "severe"]) == 2


def test_evidence_paths_expand_inside_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "roadmap", SYSTEM, "-e", "/nonexistent/a.json", "/nonexistent/b.json"])
    assert code == 2
    assert "a.json" in capsys.readouterr().err


def test_devices_and_fifos_refused_for_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    fifo = tmp_path / "evidence.json"
    os.mkfifo(fifo)
    for argv in (
        ["assess", SYSTEM, "-e", str(fifo), "-o", str(tmp_path / "o")],
        ["verify", "/dev/zero"],
        ["crosswalk", "atlas", SYSTEM, "-e", str(fifo)],
        ["catalog", "validate", "--overlay", "/dev/zero"],
    ):
        assert main(argv) == 2, argv
        assert "only regular files" in capsys.readouterr().err
    # an option naming an output is not an input: a device there is not refused up front
    # (checked without writing: aisec.common.fileio writes to devices in place)
    from aisec.cli.options import refuse_special_inputs

    refuse_special_inputs(["threats", SYSTEM, "--json", "/dev/null", "--sarif=/dev/null"])


def test_probe_takes_the_system_positionally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aisec.probes.llm.reference import Mode, start_reference_target

    url, stop = start_reference_target(Mode.HARDENED, 0, 0.0)
    try:
        out = tmp_path / "probe.json"
        argv = [SYSTEM, "--target", url, "--only", "prompt-injection", "--max-attacks", "1"]
        # under heavy load an attempt may time out (exit 3): the evidence is written either way
        assert main(["probe", *argv, "--json", str(out)]) in (0, 1, 3, 4)
    finally:
        stop()
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["findings"] or doc["skipped"] or doc["errors"]
    assert main(["probe", "serve-target", "--help"]) == 0  # subcommands still resolve
    assert "serve-target" in capsys.readouterr().out
