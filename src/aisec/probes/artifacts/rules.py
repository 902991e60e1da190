"""Rule ids of the artifact scanner and the catalogue threats/controls each one is evidence for.

Keeping the mapping in one table means every finding the scanner emits names the same threats
and controls for the same check, so `aisec assess --evidence` can rely on it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from aisec.probes.record import Finding, Severity, Verdict

if TYPE_CHECKING:
    from aisec.probes.artifacts.interface import ScanContext

TOOL = "aisec-scan"

CODE_THREATS = (
    "supply-model-poisoning",
    "dev-model-poisoning",
    "backdoor",
    "supply-chain-compromise",
)
CODE_CONTROLS = ("model-artifact-scanning", "supply-chain-manage")
INTEGRITY_THREATS = ("supply-model-poisoning", "supply-chain-compromise")
INTEGRITY_CONTROLS = ("model-provenance", "supply-chain-manage")
SIGNING_CONTROLS = ("model-signing", "model-provenance", "supply-chain-manage")


class Rule(StrEnum):
    """Stable check identifiers; a prefix names the layer that raised it."""

    PICKLE_DANGEROUS = "pickle.dangerous-callable"
    PICKLE_UNKNOWN = "pickle.unknown-callable"
    PICKLE_INDIRECT = "pickle.indirect-call"
    PICKLE_EXTENSION = "pickle.extension-registry"
    PICKLE_MALFORMED = "pickle.malformed"
    PICKLE_TRAILING = "pickle.trailing-data"
    PICKLE_BUDGET = "pickle.budget-exceeded"
    PICKLE_CLEAN = "pickle.clean"
    NUMPY_MALFORMED = "numpy.malformed"
    NUMPY_CLEAN = "numpy.clean"
    ZIP_BOMB = "zip.bomb"
    ZIP_TAMPERED = "zip.tampered-header"
    ZIP_MALFORMED = "zip.malformed"
    ZIP_UNSUPPORTED = "zip.unsupported-member"
    ARCHIVE_LIMIT = "archive.limit-exceeded"
    ARCHIVE_PATH = "archive.path-traversal"
    ARCHIVE_MALFORMED = "archive.malformed"
    ARCHIVE_CLEAN = "archive.clean"
    POLYGLOT = "format.polyglot"
    UNSUPPORTED = "format.unsupported"
    NAME_MISMATCH = "format.malformed-for-name"
    IMPOSSIBLE_LENGTH = "format.impossible-length"
    EMPTY = "format.empty"
    HANDLER_ERROR = "scanner.error"
    TIMEOUT = "scanner.timeout"
    HASH_MATCH = "integrity.hash-match"
    HASH_MISMATCH = "integrity.hash-mismatch"
    HASH_MISSING = "integrity.missing-file"
    HASH_UNLISTED = "integrity.unlisted-file"
    SIGNATURE_VALID = "signature.valid"
    SIGNATURE_INVALID = "signature.invalid"
    SIGNATURE_ERROR = "signature.error"


_INTEGRITY = {Rule.HASH_MATCH, Rule.HASH_MISMATCH, Rule.HASH_MISSING, Rule.HASH_UNLISTED}
_SIGNING = {Rule.SIGNATURE_VALID, Rule.SIGNATURE_INVALID, Rule.SIGNATURE_ERROR}


def finding(
    rule: Rule | str,
    verdict: Verdict,
    severity: Severity,
    location: str,
    message: str,
    *,
    sha256: str | None = None,
    details: dict[str, Any] | None = None,
) -> Finding:
    """Build a scanner finding with the threats and controls its rule is evidence for."""
    threats: tuple[str, ...]
    controls: tuple[str, ...]
    if rule in _SIGNING:
        threats, controls = INTEGRITY_THREATS, SIGNING_CONTROLS
    elif rule in _INTEGRITY:
        threats, controls = INTEGRITY_THREATS, INTEGRITY_CONTROLS
    else:
        threats, controls = CODE_THREATS, CODE_CONTROLS
    return Finding(
        tool=TOOL,
        rule_id=str(rule),
        verdict=verdict,
        severity=severity,
        location=location,
        message=message,
        threat_ids=list(threats),
        control_ids=list(controls),
        sha256=sha256,
        details=details or {},
    )


class MemberReporter(Protocol):
    def __call__(
        self,
        rule: Rule,
        verdict: Verdict,
        sev: Severity,
        msg: str,
        where: str = "",
        **details: object,
    ) -> None: ...


def member_reporter(ctx: ScanContext) -> MemberReporter:
    """Report findings about a container or one of its members (`where`) into `ctx`."""

    def add(
        rule: Rule,
        verdict: Verdict,
        sev: Severity,
        msg: str,
        where: str = "",
        **details: object,
    ) -> None:
        loc = f"{ctx.location}!{where}" if where else ctx.location
        ctx.add(finding(rule, verdict, sev, loc, msg, sha256=ctx.sha256, details=details))

    return add
