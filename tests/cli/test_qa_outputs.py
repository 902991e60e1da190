"""Output options across commands: bad paths fail first (exit 2, option named, nothing written),
'-' sends machine output to stdout with the human table on stderr, and no error is a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.exitcodes import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
SYSTEM = str(EXAMPLES / "rag-assistant.yaml")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


@pytest.fixture()
def blocker(tmp_path: Path) -> Path:
    """A regular file standing where a folder is expected."""
    path = tmp_path / "blocker"
    path.write_text("x")
    return path


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["assess", SYSTEM, "-f", "json", "-o", "{blocker}"], "--out"),
        (["assess", SYSTEM, "-f", "json", "-o", "{blocker}/sub"], "--out"),
        (["demo", "--no-probes", "-o", "{blocker}/demo"], "--out"),
        (["init", SYSTEM, "-o", "{folder}"], "--out"),
        (["init", SYSTEM, "-o", "{blocker}/a.yaml"], "--out"),
        (["crosswalk", "atlas", "--json", "{folder}"], "--json"),
        (["scan", SYSTEM, "--json", "{folder}"], "--json"),
        (["scan", SYSTEM, "--sarif", "{blocker}/x.sarif"], "--sarif"),
        (["scan", SYSTEM, "--write-manifest", "{folder}"], "--write-manifest"),
        (["probe", "--target", "http://127.0.0.1:9/v1", "--json", "{folder}"], "--json"),
        (["probe", "--target", "http://127.0.0.1:9/v1", "--attempts", "{folder}"], "--attempts"),
        (["mltest", "--dataset", "iris", "--json", "{blocker}/e.json"], "--json"),
    ],
)
def test_unwritable_output_fails_first_with_option_named(
    argv: list[str],
    option: str,
    tmp_path: Path,
    blocker: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    args = [a.format(blocker=blocker, folder=folder) for a in argv]
    assert main(args) == ExitCode.INPUT_ERROR
    captured = capsys.readouterr()
    assert option in captured.err and "Traceback" not in captured.err
    assert captured.out == ""  # refused before any work
    assert list(folder.iterdir()) == [] and _leftovers(tmp_path) == []


def test_two_outputs_cannot_share_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", SYSTEM, "--json", "-", "--sarif", "-"]) == ExitCode.INPUT_ERROR
    assert "--json, --sarif" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["scan", SYSTEM, "--json", "-"], "findings"),
        (["scan", SYSTEM, "--sarif", "-"], "runs"),
        (["crosswalk", "owasp-llm", "--json", "-"], "coverage"),
    ],
)
def test_dash_writes_machine_output_to_stdout_only(
    argv: list[str],
    key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    # a YAML file is nothing the scanner examines (exit 4), yet the machine output is complete
    assert main(argv) in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.NOTHING_ASSESSED)
    captured = capsys.readouterr()
    assert key in json.loads(captured.out)  # stdout is pure JSON
    assert captured.err.strip()  # the human summary went to stderr
    assert not (tmp_path / "-").exists()


def test_os_error_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import aisec.cli.assess as cli

    def refuse(*_: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "r.json"))

    monkeypatch.setattr(cli, "write_reports", refuse)
    assert main(["assess", SYSTEM, "-o", str(tmp_path), "-f", "json"]) == ExitCode.INPUT_ERROR
    err = capsys.readouterr().err
    assert f"cannot use {tmp_path / 'r.json'}: Permission denied" in err
    assert "Traceback" not in err


def test_unexpected_exception_exits_3_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import aisec.cli.assess as cli

    def crash(*_: object, **__: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(cli, "run_assessment", crash)
    assert main(["assess", SYSTEM, "-f", "json"]) == ExitCode.INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "aisec -v" in err and "Traceback" not in err


def test_crosswalk_takes_overlays_like_assess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        'version: "1"\ncontrols:\n  - id: egress-proxy\n    name: Egress proxy\n'
        "    summary: Agents reach the internet through a proxy.\n    category: AGT\n"
        "    kind: technical\n    phases: [operation]\n    role: integrator\n"
        "    effects:\n      - {threat: indirect-prompt-injection, likelihood: 1}\n"
        "    evidence: [Proxy allow-list]\n"
    )
    assessment = tmp_path / "a.yaml"
    assessment.write_text("system: email-agent\ncontrols:\n  egress-proxy: {status: implemented}\n")
    argv = ["crosswalk", "atlas", str(EXAMPLES / "email-agent.yaml"), "-a", str(assessment)]
    assert main(argv) == ExitCode.INPUT_ERROR  # the control exists only in the overlay
    assert "unknown control 'egress-proxy'" in capsys.readouterr().err
    assert main([*argv, "--overlay", str(overlay)]) == ExitCode.OK


def test_long_paths_and_ids_print_whole_when_piped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aisec.probes.llm.reference import Mode, start_reference_target

    deep = tmp_path.joinpath(*[f"a-rather-long-folder-name-{i}" for i in range(4)])
    assert main(["assess", SYSTEM, "-o", str(deep), "-f", "json"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert f"wrote {deep / 'rag-assistant.json'}\n" in out
    assert "…" not in out  # control ids in the treatment column wrap, never cut
    url, stop = start_reference_target(Mode.HARDENED, 0, 0.0)
    try:
        argv = ["probe", "--target", url, "--only", "prompt-injection", "--max-attacks", "1"]
        # one attack on the hardened target may end inconclusive: exit 4, JSON still written
        assert main([*argv, "--json", str(deep / "probe.json")]) in (0, 1, 3, 4)
    finally:
        stop()
    assert f"wrote {deep / 'probe.json'}\n" in capsys.readouterr().out
    assert main(["crosswalk", "atlas", "--json", str(deep / "cw.json")]) == ExitCode.OK
    assert f"wrote {deep / 'cw.json'}\n" in capsys.readouterr().out


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from aisec import __version__

    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out == f"aisec {__version__}\n"


def test_init_takes_overlays_like_assess(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        'version: "1"\ncontrols:\n  - id: egress-proxy\n    name: Egress proxy\n'
        "    summary: Agents reach the internet through a proxy.\n    category: AGT\n"
        "    kind: technical\n    phases: [operation]\n    role: integrator\n"
        "    effects:\n      - {threat: indirect-prompt-injection, likelihood: 1}\n"
        "    evidence: [Proxy allow-list]\n"
    )
    target = tmp_path / "a.yaml"
    system = str(EXAMPLES / "email-agent.yaml")
    assert main(["init", system, "-o", str(target), "--overlay", str(overlay)]) == ExitCode.OK
    assert "egress-proxy:" in target.read_text()
    argv = ["assess", system, "-a", str(target), "--overlay", str(overlay), "-o", str(tmp_path)]
    assert main([*argv, "-f", "json"]) == ExitCode.OK


def test_serve_target_on_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = ["probe", "serve-target", "--port", str(port), "--seconds", "0.1"]
        assert main(argv) == ExitCode.INPUT_ERROR
    assert f"--port: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_crosswalk_table_never_cuts_control_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assessment = str(EXAMPLES / "rag-assistant.assessment.yaml")
    assert main(["crosswalk", "iso42001", SYSTEM, "-a", assessment]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "augmentation-data-confid" in out and "…" not in out
