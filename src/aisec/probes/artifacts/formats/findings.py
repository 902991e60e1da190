"""Finding construction shared by the non-pickle format handlers.

Every handler reports the same tool name, the same catalogue controls and, for problems that
amount to code execution or tampering on load, the same model-poisoning threats. Analysers that
are pure functions (Keras config, chat templates) return `Issue`s; handlers turn them into
`Finding`s bound to the stream's location and hash here, so the catalogue wiring lives in one
place.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aisec.probes.artifacts.interface import ScanAbort, ScanContext
from aisec.probes.record import Finding, Severity, Verdict

TOOL = "aisec-scan"
POISONING = ("supply-model-poisoning", "dev-model-poisoning", "supply-chain-compromise")
WITH_BACKDOOR = (*POISONING, "backdoor")
CONTROLS = ("model-artifact-scanning", "supply-chain-manage")
MAX_EXAMPLES = 20  # examples listed in one aggregated finding


@dataclass(frozen=True)
class Issue:
    """A problem found by a pure analyser, not yet bound to a location."""

    rule_id: str
    verdict: Verdict
    severity: Severity
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    threats: tuple[str, ...] = POISONING


def make(
    ctx: ScanContext,
    rule_id: str,
    verdict: Verdict,
    severity: Severity,
    message: str,
    *,
    details: dict[str, Any] | None = None,
    threats: Iterable[str] = POISONING,
) -> Finding:
    return Finding(
        tool=TOOL,
        rule_id=rule_id,
        verdict=verdict,
        severity=severity,
        location=ctx.location,
        message=message,
        threat_ids=list(threats),
        control_ids=list(CONTROLS),
        sha256=ctx.sha256,
        details=details or {},
    )


def report(ctx: ScanContext, issue: Issue, *, where: str | None = None) -> None:
    """Add `issue` to the context; `where` names the place inside the file (key, node, path)."""
    details = dict(issue.details)
    if where:
        details.setdefault("where", where)
    ctx.add(
        make(
            ctx,
            issue.rule_id,
            issue.verdict,
            issue.severity,
            issue.message,
            details=details,
            threats=issue.threats,
        )
    )


def passed(
    ctx: ScanContext,
    rule_id: str,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    threats: Iterable[str] = POISONING,
) -> None:
    ctx.add(
        make(ctx, rule_id, Verdict.PASS, Severity.INFO, message, details=details, threats=threats)
    )


def has_problem(ctx: ScanContext, since: int) -> bool:
    """True if a finding added after index `since` is not a pass."""
    return any(f.verdict is not Verdict.PASS for f in ctx.findings[since:])


def check_deadline(ctx: ScanContext) -> None:
    if ctx.deadline is not None and time.monotonic() > ctx.deadline:
        raise ScanAbort("time budget for this file exhausted")


def examples(items: list[str]) -> dict[str, Any]:
    """Aggregate a long list of offending names into a bounded details entry."""
    return {"count": len(items), "examples": items[:MAX_EXAMPLES]}
