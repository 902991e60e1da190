"""Every shell command shown in README.md and docs/*.md runs as written (issue 17).

Each fenced `bash`/`sh`/`shell` block is one test. Its commands run one by one in a fresh
temporary folder holding a copy of `examples/`: plain `aisec ...` commands through the CLI entry
point in this interpreter (start-up is paid once), anything else (pipes, heredocs, redirections)
with bash, this environment's `aisec` first on PATH. A command passes when it exits 0, or 1 (ran; findings at or above --fail-on, which the
docs show on purpose). Anything else fails the test with the command and its output.

Markers, in an HTML comment on the line(s) just before a block (visible in the Markdown source,
never silent):
  <!-- docs-test: skip REASON -->        the block is not run; pytest reports it skipped with REASON
  <!-- docs-test: start COMMAND -->      COMMAND runs in the background during the block (a
                                         service such as `aisec probe serve-target --port 8080`)
Environment set-up steps in a chain (`python3 -m venv`, activating it, `pip install`) are
satisfied by the environment running the tests and are left out; the rest of the chain runs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(bash|sh|shell)\s*\n(.*?)^```", re.S | re.M)
MARKER = re.compile(r"<!--\s*docs-test:\s*(skip|start)\s+(.*?)\s*-->")
SETUP = re.compile(r"^(python3? -m venv\b|\. \S*activate\b|source \S*activate\b|pip install\b)")
TIMEOUT_S = 600


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    body: str
    skip: str | None
    start: str | None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def _markers(text: str, block_start: int) -> tuple[str | None, str | None]:
    """Markers in the comment lines right above the fence (blank lines allowed)."""
    skip = start = None
    lines = text[:block_start].rstrip("\n").splitlines()
    for line in reversed(lines):
        stripped = line.strip()
        if not stripped:
            continue
        match = MARKER.search(stripped)
        if match is None:
            break
        if match.group(1) == "skip":
            skip = match.group(2) or "no reason given"
        else:
            start = match.group(2)
    return skip, start


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            skip, start = _markers(text, match.start())
            line = text[: match.start()].count("\n") + 1
            found.append(
                Block(page.relative_to(ROOT).as_posix(), line, match.group(2), skip, start)
            )
    return found


def commands(body: str) -> list[str]:
    """Logical commands: continuation lines joined, heredocs kept whole, comments dropped."""
    out: list[str] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command = line
        while command.endswith("\\") and i < len(lines):
            command = command[:-1] + " " + lines[i].strip()
            i += 1
        heredoc = re.search(r"<<-?\s*'?\"?(\w+)'?\"?", command)
        if heredoc:
            terminator = heredoc.group(1)
            body_lines = []
            while i < len(lines) and lines[i].strip() != terminator:
                body_lines.append(lines[i])
                i += 1
            i += 1
            command = "\n".join([command, *body_lines, terminator])
        out.append(command)
    return out


def without_setup(command: str) -> str | None:
    """Drop environment set-up steps from a `&&` chain; None if nothing is left to run."""
    if "\n" in command:
        return command
    steps = [s.strip() for s in command.split("&&")]
    kept = [s for s in steps if not SETUP.match(s)]
    return " && ".join(kept) if kept else None


def _wait_for_port(command: str, seconds: float = 30.0) -> None:
    words = shlex.split(command)
    if "--port" not in words:
        time.sleep(2)
        return
    port = int(words[words.index("--port") + 1])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"service did not start listening on port {port}: {command}")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


# `aisec` followed by plain words: no pipes, redirections, substitutions, globs or chains.
IN_PROCESS = re.compile(r"^aisec\s[^|&;<>$`*?\n\\]*$")


def _run_in_process(
    command: str, cwd: Path, capfd: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    from aisec.cli import main

    capfd.readouterr()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(shlex.split(command, comments=True)[1:])
    finally:
        os.chdir(before)
    captured = capfd.readouterr()
    return int(code), captured.out, captured.err


def _demo(command: str, cwd: Path) -> tuple[int, str, str]:
    """`aisec demo --out DIR`: the session's one demo run (tests/demo_once.py), its reports
    copied to DIR here, so the heaviest command runs once for the whole suite."""
    from demo_once import demo_once

    words = shlex.split(command, comments=True)
    if words not in (["aisec", "demo"], ["aisec", "demo", "--out", "out/demo"]):
        return _run_plain(command, cwd)
    code, out = demo_once()
    shutil.copytree(out, cwd / "out" / "demo")
    return code, f"(session demo run, reports in {out})", ""


def _run_plain(command: str, cwd: Path) -> tuple[int, str, str]:
    run = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return run.returncode, run.stdout, run.stderr


# Server-side commands keep process-wide state (database engines, settings): own process.
OWN_PROCESS = frozenset({"serve", "db", "user", "audit", "worker", "push", "pull"})

ALL = blocks()


@pytest.mark.parametrize("block", ALL, ids=[b.id for b in ALL])
def test_documented_commands_run(
    block: Block, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    if block.skip:
        pytest.skip(f"docs-test marker: {block.skip}")
    shutil.copytree(ROOT / "examples", tmp_path / "examples", symlinks=True)
    env = _env()
    service = None
    if block.start:
        service = subprocess.Popen(
            ["bash", "-c", f"exec {block.start}"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for_port(block.start)
    try:
        for command in commands(block.body):
            runnable = without_setup(command)
            if runnable is None:
                continue
            if shlex.split(runnable, comments=True)[:2] == ["aisec", "demo"]:
                code, out, err = _demo(runnable, tmp_path)
            elif IN_PROCESS.match(runnable) and runnable.split()[1] not in OWN_PROCESS:
                # A plain `aisec ...` runs in this interpreter: the same CLI entry point, without
                # paying Python and library start-up for every documented command.
                code, out, err = _run_in_process(runnable, tmp_path, capfd)
            else:
                run = subprocess.run(
                    ["bash", "-o", "pipefail", "-c", runnable],
                    cwd=tmp_path,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_S,
                    check=False,
                )
                code, out, err = run.returncode, run.stdout, run.stderr
            assert code in (0, 1), (
                f"{block.id}: `{runnable}` exited {code}\n"
                f"--- stdout ---\n{out[-3000:]}\n--- stderr ---\n{err[-3000:]}"
            )
    finally:
        if service is not None:
            os.killpg(service.pid, signal.SIGTERM)
            service.wait(timeout=10)


def test_every_block_is_found_and_markers_parse() -> None:
    """The extractor itself: the README's first block is seen, markers are read."""
    ids = [b.id for b in ALL]
    assert any(i.startswith("README.md:") for i in ids)
    text = "x\n<!-- docs-test: skip needs a GPU -->\n\n```bash\nfoo\n```\n"
    skip, start = _markers(text, text.index("```"))
    assert (skip, start) == ("needs a GPU", None)
    assert commands("a \\\n  b\n# c\ncat > f <<'EOF'\nx: 1\nEOF\nd\n") == [
        "a  b",
        "cat > f <<'EOF'\nx: 1\nEOF",
        "d",
    ]
    assert without_setup("python3 -m venv .venv && . .venv/bin/activate && aisec demo") == (
        "aisec demo"
    )
