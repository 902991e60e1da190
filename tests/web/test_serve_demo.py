"""`aisec serve --demo` shows the figures of `aisec demo`: the same example systems with the same
evidence, so each system's demonstrated threats and worst residual risk agree between the live
portfolio and the CLI demo's reports."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from aisec.cli.server import _factory, load_demo, load_demo_evidence
from aisec.service import bundled_examples
from aisec.store import services
from aisec.store.assessing import stored_result
from aisec.web.pages.portfolio import summarise
from demo_once import demo_once, in_fresh_thread

T = TypeVar("T")


def _inside_a_running_loop(work: Callable[[], T]) -> T:
    """Call `work` (synchronously) on a thread whose event loop is running, as a test does
    once Playwright's sync API has started (the browser tests run before this file)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def inside() -> T:
            return work()

        return asyncio.run(inside())
    return work()


def test_the_shared_demo_run_starts_where_an_event_loop_runs() -> None:
    """The demo's probes call asyncio.run(): the shared run must not depend on its caller's
    thread having no running loop (it failed when first asked for after the browser tests)."""
    code, out = _inside_a_running_loop(demo_once)
    assert code == 0 and (out / "evidence").is_dir()

    async def probe() -> str:
        return "ran"

    # the same holds for any work handed to the helper, not only a cached run
    assert _inside_a_running_loop(lambda: in_fresh_thread(lambda: asyncio.run(probe()))) == "ran"


def _cli_figures(out: Path) -> dict[str, tuple[int, int]]:
    figures = {}
    for sid, _, _ in bundled_examples():
        data = json.loads((out / f"{sid}.json").read_text(encoding="utf-8"))
        shown = sum(1 for r in data["risks"] if r.get("demonstrated_by"))
        figures[sid] = (shown, data["totals"]["max_residual"])
    return figures


def _live_figures(url: str) -> dict[str, tuple[int, int]]:
    factory = _factory(url)
    figures = {}
    today = dt.datetime.now(dt.UTC).date()
    with factory() as s:
        ws = services.get_workspace(s, "demo")
        for sid, _, _ in bundled_examples():
            rev = services.assessment_revision(s, services.get_system(s, ws, sid))
            summary = summarise(stored_result(rev.result), today)  # what the portfolio shows
            figures[sid] = (len(summary.demonstrated), summary.max_residual)
    return figures


def test_live_demo_workspace_matches_the_cli_demo(tmp_path: Path) -> None:
    code, out = demo_once()
    assert code == 0
    url = f"sqlite:///{tmp_path}/aisec.db"
    factory = _factory(url)
    assert load_demo(factory) == 5
    assert load_demo_evidence(factory, evidence_dir=out / "evidence") == len(
        list((out / "evidence").glob("*.json"))
    )
    cli = _cli_figures(out)
    assert sum(n for n, _ in cli.values()) >= 10  # the demo's probes and ML tests demonstrate
    assert _live_figures(url) == cli
    assert load_demo_evidence(factory, evidence_dir=out / "evidence") == 0  # once only


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_demo_loads_the_demo_evidence(tmp_path: Path) -> None:
    _, out = demo_once()
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aisec", "serve", "--demo", "--demo-evidence", str(out)]
            + ["--port", str(port)],
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AISEC_DATABASE_URL": ""},
            start_new_session=True,  # its analysis workers are stopped with it
        )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    output = log.read_text(encoding="utf-8", errors="replace")
    files = len(list((out / "evidence").glob("*.json")))
    assert f"demo evidence: {files} file(s) loaded" in output, output
    assert _live_figures(f"sqlite:///{tmp_path}/aisec.db") == _cli_figures(out)
