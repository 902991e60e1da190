"""The one command-line grammar every aisec command shares (docs/cli.md).

Inputs are positional; files written are `-o/--out`; machine-readable output is `--json PATH|-`
and `--sarif PATH|-` ('-' = standard output); `--fail-on LEVEL` uses one vocabulary that each
command maps to what it finds; `--overlay PATH` repeats; `-e/--evidence` takes several paths after
one flag. Commands declare these with the aliases below so help text, metavars and checks stay
identical everywhere. This module is imported at start-up: keep it light (no pydantic, no rich).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from aisec.common.errors import InputError

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


# ---------------------------------------------------------------- --fail-on: one vocabulary


class FailLevel(StrEnum):
    """Severity threshold for exit code 1, the same words for every command.

    Each command maps its own results onto these levels (docs/cli.md has the table): assess
    compares residual-risk bands, scan/probe/mltest compare the severity of problem findings.
    `never` reports but never fails; it replaces per-command off-switches.
    """

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NEVER = "never"

    @property
    def rank(self) -> int:
        """0 (info) .. 4 (critical); `never` ranks above everything so nothing reaches it."""
        return _RANK[self.value]


_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4, "never": 99}
LEVELS = "|".join(level.value for level in FailLevel)


def parse_fail_on(
    value: str | None,
    *,
    legacy: Mapping[str, FailLevel] | None = None,
    option: str = "--fail-on",
) -> FailLevel | None:
    """Validate a --fail-on value; a command's old words (`legacy`) still work for one release
    with a deprecation note on standard error."""
    if value is None:
        return None
    word = value.strip().lower()
    try:
        return FailLevel(word)
    except ValueError:
        pass
    if legacy and word in legacy:
        level = legacy[word]
        deprecated(f"{option} {word}", f"{option} {level.value}")
        return level
    raise InputError(f"unknown level {value!r}", field=option, hint=LEVELS)


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


def fails(severities: Sequence[int], level: FailLevel | str | None) -> bool:
    """True when any severity rank (0 info .. 4 critical) reaches `level`."""
    if level is None:
        return False
    threshold = FailLevel(level).rank
    return any(rank >= threshold for rank in severities)


# ---------------------------------------------------------------- deprecated spellings


def deprecated(old: str, new: str) -> None:
    """One line on standard error; old spellings stay one release as hidden aliases."""
    sys.stderr.write(f"note: '{old}' is deprecated and will be removed; use '{new}'\n")


def deprecated_option(old: str, new: str) -> Callable[[Any], Any]:
    """Callback for a hidden alias option: warns when the old spelling was actually used."""

    def _warn(value: Any) -> Any:
        if value not in (None, False, [], ()):
            deprecated(old, new)
        return value

    return _warn


# ---------------------------------------------------------------- inputs must be regular files

# Options naming something aisec writes: /dev/stdout or /dev/null are fine there.
OUTPUT_OPTIONS = frozenset(
    {"-o", "--out", "--json", "--sarif", "--write-manifest", "--attempts", "--attempts-out"}
)


def refuse_special_inputs(args: Sequence[str]) -> None:
    """Refuse a device, FIFO or socket given as an input on the command line, before any
    command reads it (`aisec threats /dev/zero` would read forever, `-e FIFO` block forever).
    Library readers check again on the open descriptor (aisec.common.inputs)."""
    import os
    import stat

    previous = ""
    for word in args:
        option, _, value = word.partition("=") if word.startswith("--") else ("", "", word)
        if word.startswith("-") and not value:
            previous = word
            continue
        is_output = (option or previous) in OUTPUT_OPTIONS
        previous = ""
        if is_output or value in ("", "-"):
            continue
        try:
            mode = os.stat(value).st_mode
        except (OSError, ValueError):
            continue  # not a path (or missing): the command reports it in its own words
        if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
            kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or socket"
            raise InputError(
                f"input is {kind}; only regular files (and folders where a command takes one) "
                "are read",
                source=value,
            )


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
