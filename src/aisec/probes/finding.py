"""The JSON envelope every probe writes (`EvidenceReport`), around the finding records.

`aisec assess --evidence` reads any `EvidenceReport` file, whichever probe family wrote it. The
records themselves live in `aisec.probes.record` (no pydantic there, so a scan starts fast) and
are re-exported here for the many callers that build reports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisec.probes.envelope import EVIDENCE_FORMAT
from aisec.probes.record import (
    VERDICT_ORDER,
    Finding,
    Severity,
    Verdict,
    worst_verdict,
)

__all__ = [
    "EVIDENCE_FORMAT",
    "VERDICT_ORDER",
    "EvidenceReport",
    "Finding",
    "Severity",
    "Verdict",
    "worst_verdict",
]


class EvidenceReport(BaseModel):
    """Envelope of a probe run written as JSON; the unit `aisec assess --evidence` accepts."""

    model_config = ConfigDict(extra="forbid")

    format: str = EVIDENCE_FORMAT
    tool: str
    tool_version: str
    generated_at: datetime
    subject: str = Field(description="what was probed: path(s), target URL, model file")
    findings: list[Finding] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="items not examined, with why")
    errors: list[str] = Field(default_factory=list, description="checks that crashed, with why")
    summary: dict[str, Any] = Field(default_factory=dict)
