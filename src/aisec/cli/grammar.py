"""The half of the command-line grammar that needs no Typer (docs/cli.md).

`--fail-on` levels, deprecation notes and the refusal of devices and FIFOs as inputs are shared
by the Typer commands (through `aisec.cli.options`) and by the Typer-free fast path of
`aisec scan` (`aisec.cli.scan_fast`), which must not pay Typer's import on every start.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum

from aisec.common.errors import InputError

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
