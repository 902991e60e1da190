"""Aggregate findings into what they prove: controls verified or failed, threats demonstrated.

A control with any problem finding (malicious, fail, suspicious) failed; one whose findings all
passed is verified; errors and not-scanned items prove nothing either way (inconclusive).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from aisec.probes.finding import EvidenceReport, Finding, Verdict


@dataclass(frozen=True)
class ControlEvidence:
    outcome: str  # verified | failed | inconclusive
    sources: tuple[str, ...]
    passed: int
    failed: int
    inconclusive: int

    @property
    def detail(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.inconclusive} inconclusive"


@dataclass(frozen=True)
class EvidenceIndex:
    controls: dict[str, ControlEvidence] = field(default_factory=dict)
    demonstrated: dict[str, tuple[str, ...]] = field(default_factory=dict)  # threat -> messages
    files: tuple[str, ...] = ()
    unknown_ids: tuple[str, ...] = ()


def _label(report: EvidenceReport, finding: Finding) -> str:
    return f"{report.tool} {finding.rule_id} @ {finding.location}"


def index_evidence(
    reports: Sequence[tuple[str, EvidenceReport]], known_controls: set[str], known_threats: set[str]
) -> EvidenceIndex:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    sources: dict[str, set[str]] = defaultdict(set)
    demonstrated: dict[str, list[str]] = defaultdict(list)
    unknown: set[str] = set()
    for name, report in reports:
        for finding in report.findings:
            slot = 1 if finding.verdict.is_problem else 0 if finding.verdict is Verdict.PASS else 2
            for control_id in finding.control_ids:
                if control_id not in known_controls:
                    unknown.add(control_id)
                    continue
                counts[control_id][slot] += 1
                sources[control_id].add(name)
            if finding.verdict.is_problem:
                for threat_id in finding.threat_ids:
                    if threat_id not in known_threats:
                        unknown.add(threat_id)
                        continue
                    label = _label(report, finding)
                    if label not in demonstrated[threat_id]:
                        demonstrated[threat_id].append(label)
    controls = {}
    for control_id, (passed, failed, inconclusive) in counts.items():
        outcome = "failed" if failed else "verified" if passed else "inconclusive"
        controls[control_id] = ControlEvidence(
            outcome, tuple(sorted(sources[control_id])), passed, failed, inconclusive
        )
    return EvidenceIndex(
        controls=controls,
        demonstrated={k: tuple(v) for k, v in demonstrated.items()},
        files=tuple(name for name, _ in reports),
        unknown_ids=tuple(sorted(unknown)),
    )
