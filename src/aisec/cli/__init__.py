"""Command-line edge: parse arguments, call one service, map the outcome to an exit code.

Each command family lives in its own module and registers on the shared `app`; errors from
aisec are caught once here.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

import typer
from rich.console import Console
from rich.markup import escape

from aisec.cli import assess, catalog, crosswalk, mltest, probe, scan  # noqa: F401  (registers)
from aisec.cli.app import app, state
from aisec.common.errors import AisecError, InputError
from aisec.common.exitcodes import ExitCode

__all__ = ["app", "main"]


def _click_modules() -> list[ModuleType]:
    """Typer >= 0.2x ships its own copy of click (typer._click); older ones use click itself.
    Usage errors may come from either, so both are caught."""
    found = []
    for name in ("typer._click", "click"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return found


_CLICKS = _click_modules()


def _exceptions(name: str, *extra: type[BaseException]) -> tuple[type[BaseException], ...]:
    found = [getattr(m.exceptions, name, None) for m in _CLICKS] + list(extra)
    return tuple(dict.fromkeys(e for e in found if isinstance(e, type)))


_EXIT = _exceptions("Exit", typer.Exit)
_ABORT = _exceptions("Abort", typer.Abort)
_USAGE = _exceptions("ClickException")


def _os_message(exc: OSError) -> str:
    """'cannot use /proc/x: No such file or directory' naming both paths of a failed rename."""
    reason = exc.strerror or str(exc)
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    return f"cannot use {' -> '.join(names)}: {reason}" if names else f"system error: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return (and, as a console script, exit with) an `ExitCode`."""
    err = Console(stderr=True, soft_wrap=True)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, standalone_mode=False, prog_name="aisec")
    except _EXIT as exc:
        code = int(getattr(exc, "exit_code", ExitCode.INPUT_ERROR))
    except _ABORT:
        err.print("[red]aborted[/red]")
        code = int(ExitCode.INPUT_ERROR)
    except _USAGE as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        code = int(ExitCode.INPUT_ERROR)
    except InputError as exc:
        err.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        code = int(ExitCode.INPUT_ERROR)
    except AisecError as exc:
        if state["verbose"]:
            traceback.print_exc()
        err.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
        code = int(ExitCode.INTERNAL_ERROR)
    except OSError as exc:
        # A path the user gave cannot be read or written (missing folder, file in the way,
        # read-only or full file system): their input to fix, not a crash.
        if state["verbose"]:
            traceback.print_exc()
        err.print(f"[bold red]error:[/bold red] {escape(_os_message(exc))}", highlight=False)
        code = int(ExitCode.INPUT_ERROR)
    except Exception as exc:  # noqa: BLE001  (last resort: a message, not a traceback)
        if state["verbose"]:
            traceback.print_exc()
        err.print(
            f"[bold red]internal error:[/bold red] {escape(type(exc).__name__)}: "
            f"{escape(str(exc))}\n  hint: run 'aisec -v ...' for the traceback and report it",
            highlight=False,
        )
        code = int(ExitCode.INTERNAL_ERROR)
    else:
        code = int(result) if isinstance(result, int) else int(ExitCode.OK)
    if argv is None:
        sys.exit(code)
    return code
