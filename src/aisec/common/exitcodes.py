"""Process exit codes: one meaning per code, shared by every command."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # ran, nothing at or above the failure threshold
    FINDINGS = 1  # ran, findings or risk at/above --fail-on
    INPUT_ERROR = 2  # usage error or bad input file
    INTERNAL_ERROR = 3  # a probe or aisec itself failed
    NOTHING_ASSESSED = 4  # nothing was in scope: never reported as clean
