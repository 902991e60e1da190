"""`aisec demo` run at most once per test session, shared by every test that needs its output.

The demo is the heaviest command (every example, every probe, the ML tests): tests/cli/test_demo.py
checks its reports, tests/docs/test_doc_commands.py runs the README's `aisec demo --out
out/demo` and tests/web/test_serve_demo.py serves its evidence; all get this one run (same
command-line entry point, same arguments), whichever asks first.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_RUN: tuple[int, Path] | None = None
_LOCK = threading.Lock()


def demo_once() -> tuple[int, Path]:
    """(exit code, output folder) of `aisec demo --out <fresh folder>`, run on first use."""
    global _RUN
    with _LOCK:  # a second caller meanwhile waits for the first run instead of starting one
        if _RUN is None:
            _RUN = in_fresh_thread(_run)
        return _RUN


def in_fresh_thread(work: Callable[[], T]) -> T:
    """`work()` on a new thread, which has no event loop: the demo's probes call asyncio.run(),
    which refuses to start on a thread whose loop is running (Playwright's sync API keeps one
    running on the main thread once a browser test has started). Exceptions propagate."""
    with ThreadPoolExecutor(1, thread_name_prefix="aisec-demo-once") as pool:
        return pool.submit(work).result()


def _run() -> tuple[int, Path]:
    from aisec.cli import main

    out = Path(tempfile.mkdtemp(prefix="aisec-demo-")) / "demo"
    return int(main(["demo", "--out", str(out)])), out
