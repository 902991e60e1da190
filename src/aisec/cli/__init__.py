"""Command-line edge: parse arguments, call one service, map the outcome to an exit code.

Each command family lives in its own module and registers on the shared `app`; errors from
aisec are caught once here.

Registering a command (start-up stays fast because modules load lazily):
  1. write `src/aisec/cli/<name>.py` with `from aisec.cli.app import app` and
     `@app.command("<name>")` (or `app.add_typer(sub_app, name="<name>")` for a group); import
     heavy libraries (fastapi, sqlalchemy, numpy, ...) inside the command function only;
  2. add one line to `COMMANDS` below: `"<name>": Entry("aisec.cli.<name>", "One-line help.")`.
  tests/cli/test_lazy_cli.py checks that both agree and that start-up imports stay light.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from aisec.cli.runtime import startup_gc, state
from aisec.common.errors import AisecError, InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.textsafe import markup_safe as escape

if TYPE_CHECKING:
    from aisec.cli.app import app


class Entry(NamedTuple):
    """Where a command lives and the line `aisec --help` shows for it (without importing it)."""

    module: str
    help: str
    hidden: bool = False


COMMANDS: dict[str, Entry] = {
    "assess": Entry("aisec.cli.assess", "Derive threats, score risk and write the reports."),
    "threats": Entry("aisec.cli.assess", "List the threats that apply to a system, and why."),
    "init": Entry("aisec.cli.assess", "Scaffold an assessment file for a system."),
    "demo": Entry("aisec.cli.assess", "Assess every bundled example system (the main job)."),
    "schema": Entry("aisec.cli.assess", "Print the JSON Schema of result, system or assessment."),
    "verify": Entry("aisec.cli.record", "Check that a report's inputs still match their SHA-256."),
    "sign": Entry("aisec.cli.record", "Sign an evidence file with an EC private key."),
    "catalog": Entry("aisec.cli.catalog", "Browse and validate the catalogue and overlays."),
    "crosswalk": Entry("aisec.cli.crosswalk", "Map aisec controls to another framework."),
    "scan": Entry("aisec.cli.scan", "Scan model artifacts for code execution and tampering."),
    "probe": Entry("aisec.cli.probe", "Probe a running LLM application (assistant, RAG, agent)."),
    "mltest": Entry("aisec.cli.mltest", "Test a predictive model: evasion, extraction, privacy."),
    "serve": Entry("aisec.cli.server", "Run the team server (REST API, pages, audit trail)."),
    "db": Entry("aisec.cli.server", "Team server database: upgrade, backup, restore."),
    "user": Entry("aisec.cli.server", "Team server accounts, workspace roles, API tokens."),
    "audit": Entry("aisec.cli.server", "Verify or export the server's hash-chained audit trail."),
    "worker": Entry("aisec.cli.worker", "Take scan/probe/mltest jobs from the server queue."),
    "push": Entry("aisec.cli.remote", "Upload evidence to a system on the team server."),
    "pull": Entry("aisec.cli.remote", "Fetch a system and its assessment from the server."),
    "import": Entry("aisec.cli.interop", "Start system files from an ML-BOM or inventory sheet."),
    "export": Entry("aisec.cli.interop", "Export to OSCAL, CycloneDX, CISO Assistant, CSV, PDF."),
    "pack": Entry("aisec.cli.interop", "Vendor evidence pack: create, verify, make a key pair."),
}

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    """`aisec.cli.app` (the Typer application) loads on first use: `aisec scan` may run
    without Typer (see `aisec.cli.scan_fast`)."""
    if name == "app":
        return importlib.import_module("aisec.cli.app").app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _click_exceptions(name: str) -> tuple[type[BaseException], ...]:
    """Typer >= 0.2x ships its own copy of click (typer._click); older ones use click itself.
    Errors may come from either; plain click is only consulted when something imported it.
    Nothing when Typer never loaded (the fast path cannot raise its errors)."""
    if "typer" not in sys.modules:
        return ()
    typer = sys.modules["typer"]
    extra = {"Exit": (typer.Exit,), "Abort": (typer.Abort,)}.get(name, ())
    modules = [importlib.import_module("typer._click")]
    if "click" in sys.modules:
        modules.append(sys.modules["click"])
    found = [getattr(getattr(m, "exceptions", None), name, None) for m in modules] + list(extra)
    return tuple(dict.fromkeys(e for e in found if isinstance(e, type)))


def _quiet_stdout() -> None:
    """The reader went away (`aisec ... | head`): send the rest to /dev/null, exit 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _os_message(exc: OSError) -> str:
    """'cannot use /proc/x: No such file or directory' naming both paths of a failed rename."""
    reason = exc.strerror or str(exc)
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    return f"cannot use {' -> '.join(names)}: {reason}" if names else f"system error: {reason}"


def _run_typer(args: list[str]) -> Any:
    from aisec.cli.app import app

    return app(args=args, standalone_mode=False, prog_name="aisec")


def _command(args: list[str], fast: bool) -> Callable[[], Any]:
    """What to run: `aisec scan` in its plain shapes skips Typer (start-up is most of a small
    scan); every other line, and any scan line the fast reader does not take, goes to Typer."""
    if fast and args[:1] == ["scan"]:
        from aisec.cli.scan_fast import fast_scan

        run = fast_scan(args[1:])
        if run is not None:
            return run
    return lambda: _run_typer(args)


def _err() -> Any:
    from aisec.cli.outputs import make_console

    return make_console(stderr=True, soft_wrap=True)


def main(argv: Sequence[str] | None = None, *, fast: bool = True) -> int:
    """Run the CLI; return (and, as a console script, exit with) an `ExitCode`.
    `fast=False` sends every line through Typer (tests compare both readers)."""
    # Third-party pydantic plugins would hook into the validation of (hostile) inputs and cost
    # ~0.07 s of entry-point scanning per start; a user can opt back in with the variable set.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with startup_gc(keep_frozen=argv is None):  # None: the process ends after this run
            result = _command(args, fast)()
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        code = int(ExitCode.OK)
    except _click_exceptions("Exit") as exc:
        code = int(getattr(exc, "exit_code", ExitCode.INPUT_ERROR))
    except _click_exceptions("Abort"):
        _err().print("[red]aborted[/red]")
        code = int(ExitCode.INPUT_ERROR)
    except _click_exceptions("ClickException") as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        code = int(ExitCode.INPUT_ERROR)
    except InputError as exc:
        _err().print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        code = int(ExitCode.INPUT_ERROR)
    except AisecError as exc:
        if state["verbose"]:
            traceback.print_exc()
        _err().print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        code = int(ExitCode.INTERNAL_ERROR)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            _quiet_stdout()
            return _finish(int(ExitCode.OK), argv)
        # A path the user gave cannot be read or written (missing folder, file in the way,
        # read-only or full file system): their input to fix, not a crash.
        if state["verbose"]:
            traceback.print_exc()
        _err().print(f"[bold red]error:[/bold red] {escape(_os_message(exc))}", highlight=False)
        code = int(ExitCode.INPUT_ERROR)
    except Exception as exc:  # noqa: BLE001  (last resort: a message, not a traceback)
        if state["verbose"]:
            traceback.print_exc()
        _err().print(
            f"[bold red]internal error:[/bold red] {escape(type(exc).__name__)}: "
            f"{escape(str(exc))}\n  hint: run 'aisec -v ...' for the traceback and report it",
            highlight=False,
        )
        code = int(ExitCode.INTERNAL_ERROR)
    else:
        code = int(result) if isinstance(result, int) else int(ExitCode.OK)
    return _finish(code, argv)


def _finish(code: int, argv: Sequence[str] | None) -> int:
    if argv is None:
        sys.exit(code)
    return code
