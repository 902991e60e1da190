"""Vocabulary shared by the deterministic detectors: which detector fired, on what evidence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EXCERPT = 120


class DetectorId(StrEnum):
    CANARY = "canary"
    SECRETS = "secrets"
    TOOL_CALLS = "tool-calls"
    MARKUP = "markup"
    CODE_INJECTION = "code-injection"
    REFUSAL = "refusal"
    RESOURCE = "resource"
    DECLARED = "declared"  # the application's own declared secrets and instructions
    PACKAGES = "packages"  # install commands naming packages outside the well-known list
    HARMFUL = "harmful"  # compliance with a request for clearly harmful content


@dataclass(frozen=True)
class Hit:
    """One piece of evidence: `kind` says what matched, `evidence` is a short excerpt."""

    detector: DetectorId
    kind: str
    evidence: str

    @staticmethod
    def of(detector: DetectorId, kind: str, evidence: str) -> Hit:
        text = evidence if len(evidence) <= EXCERPT else evidence[: EXCERPT - 1] + "…"
        return Hit(detector, kind, text)
