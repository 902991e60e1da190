"""Aggregate findings into what they prove: controls verified or failed, threats demonstrated.

A control with any problem finding (malicious, fail, suspicious) failed; one whose findings all
passed is verified; errors, inconclusive and not-scanned items prove nothing either way.
Only evidence admitted for this system (bound to it, fresh, signature not invalid) is indexed;
a control counts as signed-verified when every source of its passing findings is signed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from aisec.probes.finding import EvidenceReport, Finding, Verdict


@dataclass(frozen=True)
class ControlEvidence:
    outcome: str  # verified | failed | inconclusive
    sources: tuple[str, ...]
    passed: int
    failed: int
    inconclusive: int
    signed: bool = False

    @property
    def detail(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.inconclusive} inconclusive"


@dataclass(frozen=True)
class EvidenceIndex:
    controls: dict[str, ControlEvidence] = field(default_factory=dict)
    demonstrated: dict[str, tuple[str, ...]] = field(default_factory=dict)  # threat -> messages
    files: tuple[str, ...] = ()
    unknown_ids: tuple[str, ...] = ()
    demonstrated_files: dict[str, tuple[tuple[str, str], ...]] = field(
        default_factory=dict
    )  # threat -> ((path, sha256), ...) of the files that demonstrated it


def _label(report: EvidenceReport, finding: Finding) -> str:
    return f"{report.tool} {finding.rule_id} @ {finding.location}"


def index_evidence(
    reports: Sequence[tuple[str, EvidenceReport]],
    known_controls: set[str],
    known_threats: set[str],
    *,
    signed: Collection[str] = (),
    hashes: Mapping[str, str] | None = None,
) -> EvidenceIndex:
    """`signed` names the files whose signature verified; `hashes` maps file to SHA-256."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    sources: dict[str, set[str]] = defaultdict(set)
    pass_sources: dict[str, set[str]] = defaultdict(set)
    demonstrated: dict[str, list[str]] = defaultdict(list)
    demo_files: dict[str, dict[str, str]] = defaultdict(dict)
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
                if slot == 0:
                    pass_sources[control_id].add(name)
            if finding.verdict.is_problem:
                for threat_id in finding.threat_ids:
                    if threat_id not in known_threats:
                        unknown.add(threat_id)
                        continue
                    label = _label(report, finding)
                    if label not in demonstrated[threat_id]:
                        demonstrated[threat_id].append(label)
                    demo_files[threat_id][name] = (hashes or {}).get(name, "")
    controls = {}
    for control_id, (passed, failed, inconclusive) in counts.items():
        outcome = "failed" if failed else "verified" if passed else "inconclusive"
        controls[control_id] = ControlEvidence(
            outcome,
            tuple(sorted(sources[control_id])),
            passed,
            failed,
            inconclusive,
            signed=bool(pass_sources[control_id]) and pass_sources[control_id] <= set(signed),
        )
    return EvidenceIndex(
        controls=controls,
        demonstrated={k: tuple(v) for k, v in demonstrated.items()},
        files=tuple(name for name, _ in reports),
        unknown_ids=tuple(sorted(unknown)),
        demonstrated_files={k: tuple(v.items()) for k, v in demo_files.items()},
    )
