"""The one command-line grammar every aisec command shares (docs/cli.md).

Inputs are positional; files written are `-o/--out`; machine-readable output is `--json PATH|-`
and `--sarif PATH|-` ('-' = standard output); `--fail-on LEVEL` uses one vocabulary that each
command maps to what it finds; `--overlay PATH` repeats; `-e/--evidence` takes several paths after
one flag. Commands declare these with the aliases below so help text, metavars and checks stay
identical everywhere. This module is imported at start-up: keep it light (no pydantic, no rich).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from aisec.cli.grammar import (
    LEVELS,
    OUTPUT_OPTIONS,
    FailLevel,
    deprecated,
    fails,
    parse_fail_on,
    refuse_special_inputs,
)

__all__ = [
    "LEVELS",
    "MULTI_VALUE_OPTIONS",
    "OUTPUT_OPTIONS",
    "Evidence",
    "FailLevel",
    "JsonOut",
    "OutFile",
    "Overlays",
    "SarifOut",
    "deprecated",
    "deprecated_option",
    "expand_multi_value",
    "fail_on_option",
    "fails",
    "option_shapes",
    "parse_fail_on",
    "refuse_special_inputs",
]

# ---------------------------------------------------------------- reusable option declarations

JsonOut = Annotated[
    Path | None,
    typer.Option(
        "--json",
        metavar="PATH|-",
        help="Write machine-readable JSON to PATH ('-' = standard output).",
    ),
]
SarifOut = Annotated[
    Path | None,
    typer.Option(
        "--sarif",
        metavar="PATH|-",
        help="Write SARIF 2.1.0 to PATH ('-' = standard output).",
    ),
]
OutFile = Annotated[
    Path | None,
    typer.Option("--out", "-o", metavar="PATH", help="File to write."),
]
Overlays = Annotated[
    list[Path],
    typer.Option(
        "--overlay",
        metavar="PATH",
        help="Catalogue overlay YAML, applied in order (repeatable).",
    ),
]
Evidence = Annotated[
    list[Path],
    typer.Option(
        "--evidence",
        "-e",
        metavar="PATH...",
        help="Evidence JSON from aisec scan/probe/mltest; several paths may follow one -e.",
    ),
]

# Options that take every following value up to the next option (argparse's nargs='+'),
# expanded to repeated flags before click parses (see `expand_multi_value`).
MULTI_VALUE_OPTIONS = frozenset({"-e", "--evidence"})


def fail_on_option(
    default: str | None = None,
    *,
    legacy: Mapping[str, FailLevel] | None = None,
    what: str = "a finding",
) -> Any:
    """`--fail-on LEVEL` declaration; the parameter receives a `FailLevel` (or None)."""

    def _check(value: str | None) -> str | None:
        level = parse_fail_on(value, legacy=legacy)
        return level.value if level is not None else None

    return typer.Option(
        default,
        "--fail-on",
        metavar="LEVEL",
        callback=_check,
        help=f"Exit 1 when {what} is at or above LEVEL: {LEVELS}.",
    )


def deprecated_option(old: str, new: str) -> Callable[[Any], Any]:
    """Callback for a hidden alias option: warns when the old spelling was actually used."""

    def _warn(value: Any) -> Any:
        if value not in (None, False, [], ()):
            deprecated(old, new)
        return value

    return _warn


# ---------------------------------------------------------------- several values after one flag


def option_shapes(params: Sequence[Any]) -> tuple[set[str], set[str], int]:
    """(options taking a value, flag options, required positional count) of a click command."""
    valued: set[str] = set()
    flags: set[str] = set()
    required = 0
    for param in params:
        names = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
        if getattr(param, "param_type_name", "") == "argument":
            if param.required and param.nargs > 0:
                required += param.nargs
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            flags.update(names)
        else:
            valued.update(names)
    return valued, flags, required


def expand_multi_value(params: Sequence[Any], args: list[str]) -> list[str]:
    """Rewrite `-e a.json b.json` as `-e a.json -e b.json` for click.

    Values after a multi-value flag run to the next option or `--`; the last tokens are left to
    required positional arguments that would otherwise be missing, so
    `aisec assess -e a.json b.json system.yaml` still reads system.yaml as the system.
    """
    valued, _flags, required = option_shapes(params)
    multi = MULTI_VALUE_OPTIONS & valued
    if not multi or not any(a in multi for a in args):
        return args
    # First pass: classify tokens so we know how many free positionals exist outside -e runs.
    runs: list[tuple[int, str, list[int]]] = []  # (flag index, flag, value indexes)
    free = 0
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            free += len(args) - i - 1
            break
        if word in multi:
            values: list[int] = []
            j = i + 1
            while j < len(args) and not args[j].startswith("-"):
                values.append(j)
                j += 1
            runs.append((i, word, values))
            i = j
            continue
        if word.startswith("-") and "=" not in word and word in valued:
            i += 2
            continue
        if not word.startswith("-") or word == "-":
            free += 1
        i += 1
    missing = max(0, required - free)
    # Give the last `missing` values of the last runs back to the positional arguments.
    give_back: set[int] = set()
    for _, _, values in reversed(runs):
        while missing and len(values) > 1:
            give_back.add(values.pop())
            missing -= 1
        if not missing:
            break
    out: list[str] = []
    run_at = {start: (flag, values) for start, flag, values in runs}
    i = 0
    while i < len(args):
        if i in run_at:
            flag, values = run_at[i]
            if not values:
                out.append(args[i])  # click reports the missing value itself
            for v in values:
                out.extend([flag, args[v]])
            end = i + 1
            while end < len(args) and not args[end].startswith("-"):
                end += 1
            out.extend(args[k] for k in range(i + 1, end) if k in give_back)
            i = end
            continue
        if args[i] == "--":
            out.extend(args[i:])
            break
        out.append(args[i])
        i += 1
    return out
