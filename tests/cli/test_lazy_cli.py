"""Start-up stays light: commands load lazily, and the registry matches what modules register."""

from __future__ import annotations

import importlib
import subprocess
import sys

import typer

from aisec.cli import COMMANDS, main
from aisec.cli.app import app

HEAVY = (
    "fastapi",
    "sqlalchemy",
    "numpy",
    "sklearn",
    "trestle",
    "cyclonedx",
    "weasyprint",
    "openpyxl",
    "aisec.service",
    "aisec.analysis",
)


def _modules_after(argv: list[str]) -> set[str]:
    code = f"import sys; from aisec.cli import main; main({argv!r}); print('\\n'.join(sys.modules))"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    return set(run.stdout.splitlines())


def test_help_imports_no_command_module() -> None:
    loaded = _modules_after(["--help"])
    assert "aisec.cli" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY)
    assert heavy == []
    assert not any(entry.module in loaded for entry in COMMANDS.values())


def test_registry_matches_registered_commands() -> None:
    for entry in COMMANDS.values():
        importlib.import_module(entry.module)
    registered = set(typer.main.get_group(app).commands)
    missing = sorted(registered - set(COMMANDS))
    assert missing == [], f"add these to COMMANDS in aisec/cli/__init__.py: {missing}"
    phantom = sorted(set(COMMANDS) - registered)
    assert phantom == [], f"COMMANDS names no command its module registers: {phantom}"


def test_unknown_command_is_usage_error() -> None:
    assert main(["no-such-command"]) == 2


def test_root_help_lists_every_command(capsys: object) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    for name, entry in COMMANDS.items():
        if not entry.hidden:
            assert name in out


HEAVY_LIBRARIES = (
    "fastapi",
    "sqlalchemy",
    "numpy",
    "sklearn",
    "trestle",
    "cyclonedx",
    "weasyprint",
    "openpyxl",
    "uvicorn",
    "psycopg",
    "procrastinate",
    "authlib",
)


def test_command_modules_import_heavy_libraries_only_when_run() -> None:
    """docs/cli.md rule 2: heavy imports live inside command functions."""
    modules = sorted({entry.module for entry in COMMANDS.values()})
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(h for h in {HEAVY_LIBRARIES!r} if h in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"
