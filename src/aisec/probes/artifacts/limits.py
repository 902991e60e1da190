"""Small helpers for the per-file limits carried by `ScanContext`."""

from __future__ import annotations

import time

from aisec.probes.artifacts.interface import ScanContext


def out_of_time(ctx: ScanContext) -> bool:
    """True once the wall-clock budget of the current top-level file is spent."""
    return ctx.deadline is not None and time.monotonic() > ctx.deadline
