"""Everything a report renderer may show, gathered by the service before rendering.

Renderers are pure functions of this object: no file reads, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aisec.analysis.model import AssessmentResult
from aisec.probes.finding import EvidenceReport


@dataclass(frozen=True)
class ReportInput:
    result: AssessmentResult
    evidence: tuple[EvidenceReport, ...] = ()
    crosswalks: tuple[Any, ...] = ()  # aisec.analysis.coverage.FrameworkCoverage
    obligations: Any = None  # aisec.analysis.obligations result
    extras: dict[str, Any] = field(default_factory=dict)  # JSON-ready sections
