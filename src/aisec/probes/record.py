"""One finding: the record every probe emits, as a plain frozen dataclass.

A finding names what was examined (location + SHA-256 of the bytes or of the transcript), the
verdict, and the catalogue threats and controls it is evidence for. It is a dataclass rather
than a pydantic model so that `aisec scan` starts without importing pydantic (start-up is most
of a small scan, issue 15); pydantic still validates findings wherever they are read back, as
fields of `aisec.probes.finding.EvidenceReport`, with unknown keys refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


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


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of one check. Probes must also emit `pass` findings for checks that held,
    so a control can be marked verified, not merely 'nothing found'."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    tool: str = field(metadata={"description": "probe family and tool, e.g. 'aisec-scan'"})
    rule_id: str = field(
        metadata={"description": "stable id of the check, e.g. 'pickle.dangerous-global'"}
    )
    verdict: Verdict
    severity: Severity
    location: str = field(
        metadata={"description": "file path, archive member, URL or probe family"}
    )
    message: str
    threat_ids: list[str] = field(
        default_factory=list, metadata={"description": "aisec catalogue threat ids"}
    )
    control_ids: list[str] = field(
        default_factory=list, metadata={"description": "aisec catalogue control ids"}
    )
    sha256: str | None = field(default=None, metadata={"description": "hash of what was examined"})
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON form `EvidenceReport` writes (enums as their values)."""
        return {
            "tool": self.tool,
            "rule_id": self.rule_id,
            "verdict": self.verdict.value,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "threat_ids": list(self.threat_ids),
            "control_ids": list(self.control_ids),
            "sha256": self.sha256,
            "details": self.details,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """Inverse of `to_json` for findings aisec wrote itself (a forked scan child's pipe);
        files from elsewhere are read through `EvidenceReport`, which validates them."""
        return cls(
            **{**data, "verdict": Verdict(data["verdict"]), "severity": Severity(data["severity"])}
        )
