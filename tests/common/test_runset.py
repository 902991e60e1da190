"""A killed run leaves no temporaries behind after the next run, and a report folder tells
whether it holds one complete run (issue 14 item 16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.errors import InputError
from aisec.common.runset import remove_stale_temporaries, verify_run_set

SYSTEM = str(
    Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples" / "email-agent.yaml"
)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".email-agent.json.{_dead_pid()}.abcd1234.tmp"
    live = tmp_path / f".email-agent.html.{os.getppid()}.efgh5678.tmp"
    old = tmp_path / ".email-agent.md.zzzz9999.tmp"
    mine = tmp_path / "notes.tmp"  # not ours: never touched
    for path in (dead, live, old, mine):
        path.write_text("partial", encoding="utf-8")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(removed) == sorted([dead, old])
    assert live.exists() and mine.exists()


def test_assess_writes_a_verifiable_run_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    leftover = out / f".email-agent.json.{_dead_pid()}.abcd1234.tmp"
    out.mkdir()
    leftover.write_text("{", encoding="utf-8")
    assert main(["assess", SYSTEM, "-o", str(out), "-f", "json,md"]) == 0
    assert not leftover.exists()
    manifest = out / "email-agent.run.json"
    doc = verify_run_set(manifest)
    assert set(doc["files"]) == {"email-agent.json", "email-agent.md"}
    first_run = doc["run_id"]
    # a second run gets its own id; a file from another run is detected
    assert main(["assess", SYSTEM, "-o", str(out), "-f", "json,md"]) == 0
    assert verify_run_set(manifest)["run_id"] != first_run
    (out / "email-agent.md").write_text("# from another run\n", encoding="utf-8")
    with pytest.raises(InputError, match="not the one run"):
        verify_run_set(manifest)


def test_killed_run_leaves_no_manifest(tmp_path: Path) -> None:
    """kill -9 after the old manifest is gone and before the new one: the set says incomplete."""
    out = tmp_path / "out"
    assert main(["assess", SYSTEM, "-o", str(out), "-f", "json"]) == 0
    code = (
        "import os, signal\n"
        "import aisec.common.runset as r\n"
        "real = r.finish_run_set\n"
        "def die(*a, **k): os.kill(os.getpid(), signal.SIGKILL)\n"
        "import aisec.service as s; s.finish_run_set = die\n"
        "from aisec.cli import main\n"
        f"main(['assess', {SYSTEM!r}, '-o', {str(out)!r}, '-f', 'json'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "email-agent.run.json").exists()
