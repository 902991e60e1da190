"""Read evidence files for an assessment: bytes hashed once, parsed, signature checked.

The hash recorded in the report is the SHA-256 of exactly the bytes that were parsed, so
`aisec verify` can tell whether the evidence an auditor holds is the evidence assessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aisec.evidence.load import _read, parse_evidence
from aisec.evidence.signature import SignatureCheck, check_signature
from aisec.probes.finding import EvidenceReport


@dataclass(frozen=True)
class LoadedEvidence:
    path: str
    sha256: str
    report: EvidenceReport
    signature: SignatureCheck


def read_evidence(path: Path, trusted_keys: Sequence[Path], now: datetime) -> LoadedEvidence:
    raw = _read(path)
    report = parse_evidence(raw, path, now)
    return LoadedEvidence(
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        report=report,
        signature=check_signature(path, trusted_keys),
    )


def unsigned() -> SignatureCheck:
    """The signature state of evidence held without a signature file (e.g. uploaded bytes)."""
    return SignatureCheck("unsigned", None, "no signature supplied")
