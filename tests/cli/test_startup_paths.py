"""Start-up budget guard (issues 15 and 17): each command pays only for the modules it uses.

Timed assertions are flaky on a shared machine, so this checks the cause instead: running a
command in a fresh interpreter must not import modules that belong to other commands (the
catalogue/system/analysis pydantic models, the server stack, numpy). `bench/startup.py` has the
timings.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from importlib import resources
from pathlib import Path

# Heavy for every command that does not need them: the server stack, ML and report libraries.
NEVER_AT_START = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "numpy",
    "sklearn",
    "torch",
    "onnx",
    "trestle",
    "cyclonedx",
    "weasyprint",
    "openpyxl",
    "jinja2",
    "aisec.store",
    "aisec.web",
    "aisec.reports",
)

# `aisec scan` needs none of the risk engine: its pydantic models cost ~0.3 s to build.
NOT_FOR_SCAN = (
    *NEVER_AT_START,
    "yaml",
    "aisec.service",
    "aisec.analysis",
    "aisec.catalog",
    "aisec.system",
    "aisec.evidence",
    "aisec.probes.llm",
    "aisec.probes.mltest",
)

# `aisec threats` derives threats; it neither scans, probes nor renders reports.
NOT_FOR_THREATS = (*NEVER_AT_START, "aisec.probes")


def _run(argv: list[str]) -> tuple[int, set[str]]:
    """Exit code and imported module names of `aisec ARGV` run in a fresh interpreter."""
    code = (
        "import io, json, sys, contextlib\n"
        "from aisec.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({argv!r})\n"
        "print(json.dumps([rc, sorted(sys.modules)]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    rc, modules = json.loads(run.stdout.splitlines()[-1])
    return int(rc), set(modules)


def _offending(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_scan_of_a_small_pickle_imports_no_engine_models(tmp_path: Path) -> None:
    model = tmp_path / "small.pkl"
    model.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}, protocol=4))
    rc, modules = _run(["scan", str(model)])
    assert rc == 0
    assert "aisec.probes.artifacts.engine" in modules  # the scan really ran
    assert _offending(modules, NOT_FOR_SCAN) == []


def test_threats_imports_no_server_scanner_or_report_modules() -> None:
    example = str(resources.files("aisec").joinpath("examples", "email-agent.yaml"))
    rc, modules = _run(["threats", example])
    assert rc == 0
    assert "aisec.analysis.derive" in modules
    assert _offending(modules, NOT_FOR_THREATS) == []


def test_help_imports_no_models_or_yaml() -> None:
    rc, modules = _run(["--help"])
    assert rc == 0
    banned = (*NOT_FOR_SCAN, "aisec.probes")
    assert _offending(modules, banned) == []


def test_in_process_runs_leave_the_garbage_collector_as_they_found_it(tmp_path: Path) -> None:
    """main() pauses the collector while a command's module is imported and freezes start-up
    objects; called in-process (tests, embedding) it must hand back an enabled, unfrozen GC."""
    import gc

    from aisec.cli import main

    example = str(resources.files("aisec").joinpath("examples", "email-agent.yaml"))
    model = tmp_path / "small.pkl"
    model.write_bytes(pickle.dumps({"weights": [1.0]}, protocol=4))
    frozen = gc.get_freeze_count()
    for argv in (["--help"], ["threats", example, "--json", str(tmp_path / "t.json")], ["nope"]):
        main(argv)
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen
    gc.disable()
    try:
        main(["--version"])
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
