"""`aisec demo` run at most once per test session, shared by every test that needs its output.

The demo is the heaviest command (every example, every probe, the ML tests): tests/cli/test_demo.py
checks its reports and tests/docs/test_doc_commands.py runs the README's `aisec demo --out
out/demo`; both get this one run (same command-line entry point, same arguments).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

_RUN: tuple[int, Path] | None = None


def demo_once() -> tuple[int, Path]:
    """(exit code, output folder) of `aisec demo --out <fresh folder>`, run on first use."""
    global _RUN
    if _RUN is None:
        from aisec.cli import main

        out = Path(tempfile.mkdtemp(prefix="aisec-demo-")) / "demo"
        _RUN = (int(main(["demo", "--out", str(out)])), out)
    return _RUN
