"""The one shape every probe's result takes, and the JSON envelope that carries it.

A finding names what was examined (location + SHA-256 of the bytes or of the transcript), the
verdict, and the catalogue threats and controls it is evidence for. `aisec assess --evidence`
reads any `EvidenceReport` file, whichever probe family wrote it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

EVIDENCE_FORMAT = "aisec-evidence/1"


class Verdict(StrEnum):
    """Outcome of one check, worst first. `pass` is the only verdict that counts as success."""

    MALICIOUS = "malicious"
    FAIL = "fail"
    SUSPICIOUS = "suspicious"
    ERROR = "error"
    INCONCLUSIVE = "inconclusive"  # ran, but too little valid signal to say pass or fail
    NOT_SCANNED = "not-scanned"
    PASS = "pass"  # noqa: S105 (a verdict, not a password)

    @property
    def is_problem(self) -> bool:
        """A verdict that shows the control does not hold (errors, inconclusive and not-scanned
        are not proof either way: they never verify a control)."""
        return self in (Verdict.MALICIOUS, Verdict.FAIL, Verdict.SUSPICIOUS)


VERDICT_ORDER = list(Verdict)


def worst_verdict(verdicts: list[Verdict]) -> Verdict | None:
    return min(verdicts, key=VERDICT_ORDER.index) if verdicts else None


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}[self.value]


class Finding(BaseModel):
    """One result of one check. Probes must also emit `pass` findings for checks that held,
    so a control can be marked verified, not merely 'nothing found'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str = Field(description="probe family and tool, e.g. 'aisec-scan', 'aisec-probe'")
    rule_id: str = Field(description="stable id of the check, e.g. 'pickle.dangerous-global'")
    verdict: Verdict
    severity: Severity
    location: str = Field(description="file path, archive member, URL or probe family")
    message: str
    threat_ids: list[str] = Field(default_factory=list, description="aisec catalogue threat ids")
    control_ids: list[str] = Field(default_factory=list, description="aisec catalogue control ids")
    sha256: str | None = Field(default=None, description="hash of what was examined")
    details: dict[str, Any] = Field(default_factory=dict)


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
