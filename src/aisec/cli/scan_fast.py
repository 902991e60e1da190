"""`aisec scan` without Typer, for the command lines CI jobs actually run.

Importing Typer, Click and Rich costs more than scanning a small model file (issue 15: a
500-file folder must not take longer than picklescan). This reader takes the plain shapes
(paths, `-q`, `--no-hash`, `--fail-on LEVEL`, `-j/--jobs N`, `--json/--sarif/--manifest/
--write-manifest PATH`) and hands them to the same `run_scan` as the Typer command. Anything else, e.g.
`--help`, a numeric limit, `--opt=value`, a repeated option, a legacy `--fail-on` word or
anything odd, returns None and Typer parses the whole line as before, so help, validation
and error messages have one source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aisec.cli.grammar import FailLevel

_FLAGS = {"-q": "quiet", "--quiet": "quiet", "--no-hash": "no_hash"}
_PATHS = {
    "--json": "json_out",
    "--sarif": "sarif_out",
    "--manifest": "manifest",
    "--write-manifest": "write_manifest",
}
_VALUES = {"--fail-on": "fail_on", "--jobs": "jobs", "-j": "jobs"}
_LEVELS = frozenset(level.value for level in FailLevel)


def parse(args: Sequence[str]) -> dict[str, Any] | None:
    """`ScanOptions` fields from the words after `scan`, or None to let Typer parse them."""
    found: dict[str, Any] = {}
    paths: list[Path] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word in _FLAGS or word in _PATHS or word in _VALUES:
            name = _FLAGS.get(word) or _PATHS.get(word) or _VALUES[word]
            if name in found:
                return None  # repeated: Click's rules decide
            if word in _FLAGS:
                found[name] = True
                i += 1
                continue
            if i + 1 == len(args):
                return None
            value = args[i + 1]
            if not value or (value.startswith("-") and value != "-"):
                return None
            if name == "fail_on":
                if value not in _LEVELS:
                    return None
                found[name] = value
            elif name == "jobs":
                if not value.isdigit() or value.startswith("0"):
                    return None  # Typer's message for a bad number
                found[name] = int(value)
            else:
                found[name] = Path(value)
            i += 2
            continue
        if not word or word.startswith("-"):
            return None  # an option this reader does not know, "-" or "--"
        paths.append(Path(word))
        i += 1
    if not paths:
        return None
    found["paths"] = paths
    return found


def fast_scan(args: Sequence[str]) -> Callable[[], int] | None:
    """The run of `aisec scan ARGS` without Typer, or None when Typer must parse `args`."""
    fields = parse(args)
    if fields is None:
        return None

    def run() -> int:
        from aisec.cli.runtime import defer_imports, resume_gc

        defer_imports(("inspect", "ast"))  # before anything imports dataclasses
        from aisec.cli.grammar import refuse_special_inputs
        from aisec.cli.scan_run import ScanOptions, run_scan
        from aisec.probes.artifacts import service  # noqa: F401  (imported with the GC paused)

        refuse_special_inputs(args)
        resume_gc()
        return run_scan(ScanOptions(**fields))

    return run
