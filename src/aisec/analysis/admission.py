"""Which evidence files count for this system, and why the others do not.

One mechanism for every claim check on evidence (issues 9 and 14): a file counts when its
signature is not invalid, its subject is something the system declares (`evidence.bind`) and it
is younger than the assessment's maximum age. Each file is listed in the report with its SHA-256,
tool, subject, signature state and the reason it counts or not. Pure: the service reads and
hashes the files and checks signatures; this decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aisec.analysis.model import CheckWarning, EvidenceFile, WarningCode
from aisec.evidence.bind import bind, is_reference_target
from aisec.evidence.intake import LoadedEvidence
from aisec.probes.finding import EvidenceReport
from aisec.system.schema import AISystem

__all__ = ["Admission", "LoadedEvidence", "admit"]


@dataclass(frozen=True)
class Admission:
    files: list[EvidenceFile]
    counted: list[tuple[str, EvidenceReport]]
    signed: set[str]
    hashes: dict[str, str]
    warnings: list[CheckWarning]


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def admit(
    loaded: Sequence[LoadedEvidence], system: AISystem, max_age_days: int, now: datetime
) -> Admission:
    files, counted, warnings = [], [], []
    signed: set[str] = set()
    oldest = _aware(now) - timedelta(days=max_age_days)
    for item in loaded:
        report = item.report
        binding = bind(report, system)
        reference = is_reference_target(report)
        reason, code = binding.reason, None
        if item.signature.state == "invalid":
            reason, code = (
                f"signature does not verify ({item.signature.detail})",
                WarningCode.EVIDENCE_SIGNATURE_INVALID,
            )
        elif binding.bound_to is None:
            code = WarningCode.EVIDENCE_UNBOUND
        elif _aware(report.generated_at) < oldest:
            reason = (
                f"older than the maximum age of {max_age_days} days "
                f"(run {report.generated_at.date().isoformat()})"
            )
            code = WarningCode.EVIDENCE_STALE
        ok = code is None
        if code is not None:
            warnings.append(
                CheckWarning(code=code, subject=item.path, message=f"does not count: {reason}")
            )
        if ok and reference:
            warnings.append(
                CheckWarning(
                    code=WarningCode.EVIDENCE_REFERENCE_TARGET,
                    subject=item.path,
                    message="from aisec's built-in simulated reference target, standing in "
                    "for the real endpoint: it shows the method, not the production system",
                )
            )
        if ok:
            counted.append((item.path, binding.report or report))
            if item.signature.state == "signed":
                signed.add(item.path)
        files.append(
            EvidenceFile(
                path=item.path,
                sha256=item.sha256,
                tool=report.tool,
                tool_version=report.tool_version,
                generated_at=report.generated_at,
                subject=report.subject,
                counted=ok,
                bound_to=binding.bound_to,
                reason=reason,
                signature=item.signature.state,
                signer=item.signature.signer,
                reference_target=reference,
            )
        )
    return Admission(files, counted, signed, {i.path: i.sha256 for i in loaded}, warnings)
