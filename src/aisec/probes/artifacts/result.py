"""Scan results: per-file verdicts derived from findings, the run summary, and the
EvidenceReport a scan becomes so `aisec assess --evidence` can use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.probes import envelope
from aisec.probes.artifacts.rules import TOOL
from aisec.probes.record import Finding, Verdict

if TYPE_CHECKING:
    from datetime import datetime

    from aisec.probes.finding import EvidenceReport


class FileVerdict(StrEnum):
    """Outcome for one file, worst first. Only `clean` means fully examined and nothing found."""

    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    ERROR = "error"
    NOT_SCANNED = "not-scanned"
    CLEAN = "clean"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {v: i for i, v in enumerate(FileVerdict)}


_FROM_FINDING = {
    Verdict.MALICIOUS: FileVerdict.MALICIOUS,
    Verdict.FAIL: FileVerdict.SUSPICIOUS,  # e.g. hash mismatch: not what was expected
    Verdict.SUSPICIOUS: FileVerdict.SUSPICIOUS,
    Verdict.ERROR: FileVerdict.ERROR,
    Verdict.NOT_SCANNED: FileVerdict.NOT_SCANNED,
    Verdict.PASS: FileVerdict.CLEAN,
}


def verdict_of(findings: list[Finding] | tuple[Finding, ...]) -> FileVerdict:
    """Worst verdict among findings; no findings at all is `not-scanned`, never clean."""
    if not findings:
        return FileVerdict.NOT_SCANNED
    return min((_FROM_FINDING[f.verdict] for f in findings), key=_RANK.__getitem__)


@dataclass(frozen=True)
class FileResult:
    """One scanned file: its verdict and the findings behind it."""

    path: str  # as shown in every output: escaped (see names.py) when the name needs it
    size: int
    sha256: str | None
    verdict: FileVerdict
    findings: tuple[Finding, ...]
    seconds: float = 0.0
    fs_path: Path | None = None  # the file itself (manifests resolve and write this)


@dataclass(frozen=True)
class ScanResult:
    """A whole scan: the files in planned order plus manifest and signature checks."""

    files: tuple[FileResult, ...]
    integrity: tuple[Finding, ...] = ()
    subject: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in FileVerdict}
        for f in self.files:
            out[f.verdict.value] += 1
        return out

    @property
    def examined_nothing(self) -> bool:
        """No file was examined at all (empty input, or every file not-scanned)."""
        return all(f.verdict is FileVerdict.NOT_SCANNED for f in self.files)

    @property
    def verdict(self) -> FileVerdict:
        """Worst over files and integrity checks; nothing scanned is `not-scanned`."""
        verdicts = [f.verdict for f in self.files]
        verdicts += [_FROM_FINDING[f.verdict] for f in self.integrity]
        if not self.files:
            verdicts.append(FileVerdict.NOT_SCANNED)
        return min(verdicts, key=lambda v: v.rank)

    def summary(self) -> str:
        """The one-line outcome; never says "no issues" when anything was skipped or failed."""
        if not self.files:
            return "nothing scanned: no files found (not a clean result)"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items() if n)
        verdict = self.verdict
        if verdict is FileVerdict.CLEAN:
            head = f"all {len(self.files)} file(s) fully examined, no issues"
        else:
            head = f"overall: {verdict.value}"
        return f"{head} — {counts}"

    def all_findings(self) -> list[Finding]:
        return [x for f in self.files for x in f.findings] + list(self.integrity)

    def to_evidence(self, generated_at: datetime, tool_version: str) -> EvidenceReport:
        from aisec.probes.finding import EvidenceReport  # pydantic: only when asked for

        return EvidenceReport(**self._envelope(generated_at, tool_version))

    def evidence_json(self, generated_at: datetime, tool_version: str) -> str:
        """The evidence file's text: what `to_evidence(...).model_dump_json(indent=2)` gives,
        written without importing pydantic when the standard library writes it the same."""
        fields = self._envelope(generated_at, tool_version)
        try:
            return envelope.evidence_json(**fields)
        except ValueError:  # e.g. a NaN in some finding's details: pydantic's rules apply
            return self.to_evidence(generated_at, tool_version).model_dump_json(indent=2)

    def _envelope(self, generated_at: datetime, tool_version: str) -> dict[str, Any]:
        findings = self.all_findings()
        return {
            "tool": TOOL,
            "tool_version": tool_version,
            "generated_at": generated_at,
            "subject": self.subject,
            "findings": findings,
            "skipped": [
                f"{x.location}: {x.message}" for x in findings if x.verdict is Verdict.NOT_SCANNED
            ],
            "errors": [
                f"{x.location}: {x.message}" for x in findings if x.verdict is Verdict.ERROR
            ],
            "summary": {
                "verdict": self.verdict.value,
                "files": len(self.files),
                "verdicts": self.counts(),
                "hashes": {f.path: f.sha256 for f in self.files},
                "bytes": sum(f.size for f in self.files),
            },
        }
