"""Output paths given on the command line: checked before any work, written atomically.

A scan, probe or ML test can run for minutes; a typo in `--json` or `--out` must fail at once
with the option named, not after the work with an OS error. `-` means standard output for
machine-readable files (`--json -`), so a CI step can pipe the result; then the human-readable
table goes to standard error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.common.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

STDOUT = "-"


def make_console(*, stderr: bool = False, **options: Any) -> Console:
    """The console every command prints with: no emoji codes (`:100:` in a file name stays
    text), no auto-highlighting of numbers and paths (CI parsers read plain locations).
    Outside text still goes through `aisec.common.textsafe.markup_safe` or a `Text`."""
    from rich.console import Console

    return Console(stderr=stderr, emoji=False, highlight=False, **options)


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == STDOUT


def check_output_files(options: Iterable[tuple[str, Path | None]]) -> bool:
    """Check every (option, path) pair; return True when one of them is standard output."""
    to_stdout = [option for option, path in options if is_stdout(path)]
    if len(to_stdout) > 1:
        raise InputError(
            "only one output can go to standard output ('-')", field=", ".join(to_stdout)
        )
    for option, path in options:
        if path is not None and not is_stdout(path):
            check_output_file(path, option)
    return bool(to_stdout)


def check_output_file(path: Path, option: str, *, allow_stdout: bool = False) -> None:
    """Refuse a file path that is a folder or whose folder cannot be created."""
    if allow_stdout and is_stdout(path):
        return
    if path.is_dir():
        raise InputError("is a folder; give a file name", source=str(path), field=option)
    _check_folder(path.parent, path, option)


def check_output_dir(path: Path, option: str) -> None:
    """Refuse an output folder that is a file or sits under a file."""
    if path.exists() and not path.is_dir():
        raise InputError("exists and is not a folder", source=str(path), field=option)
    _check_folder(path, path, option)


def _check_folder(folder: Path, target: Path, option: str) -> None:
    current = folder
    while not current.exists():  # the nearest existing ancestor decides
        if current.parent == current:
            break
        current = current.parent
    if current.exists() and not current.is_dir():
        raise InputError(
            f"cannot create a folder under {current}: it is a file",
            source=str(target),
            field=option,
        )
    if current.is_dir() and not os.access(current, os.W_OK | os.X_OK):
        raise InputError(f"folder {current} is not writable", source=str(target), field=option)


def write_output(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, or to standard output for '-'; True if a file."""
    if is_stdout(path):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return False
    from aisec.common.fileio import atomic_write_text  # tempfile & co.: only when writing

    atomic_write_text(path, text)
    return True
