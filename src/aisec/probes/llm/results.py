"""Result types of a probe run: per attempt, per family, and the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from aisec.probes.finding import Verdict
from aisec.probes.llm.declared import Declared
from aisec.probes.llm.detectors.base import Hit
from aisec.probes.llm.families import Family
from aisec.probes.llm.interface import ChatResponse
from aisec.probes.llm.plan import AttemptKind, PlannedAttempt
from aisec.probes.llm.stats import Rate


class JudgeVote(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AttemptResult:
    planned: PlannedAttempt
    response: ChatResponse | None
    error: str | None = None
    hits: tuple[Hit, ...] = ()
    success: bool = False
    refused: bool = False
    judge: JudgeVote | None = None
    vetoed: bool = False  # a detector success overturned by the judge (scoring.judge_rule)
    history: tuple[tuple[str, str], ...] = ()  # the real conversation before the last turn
    leaks: tuple[Hit, ...] = ()  # leak hits on this reply that its family's check did not count

    @property
    def ok(self) -> bool:
        return self.response is not None

    @property
    def is_attack(self) -> bool:
        return self.planned.kind is AttemptKind.ATTACK


@dataclass(frozen=True)
class FamilyResult:
    family: Family
    verdict: Verdict
    asr: Rate
    false_refusal: Rate
    errors: int = 0
    skipped_reason: str | None = None
    measures: dict[str, float] = field(default_factory=dict)
    judge_agreement: Rate | None = None
    by_obfuscation: dict[str, tuple[int, int]] = field(default_factory=dict)  # (successes, n)
    inconclusive_reasons: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.verdict is Verdict.FAIL


@dataclass(frozen=True)
class ProbeRun:
    target: str
    seed: int
    started_at: datetime
    finished_at: datetime
    attempts: tuple[AttemptResult, ...]
    families: tuple[FamilyResult, ...]
    duration_s: float
    judge_calls: int = 0
    settings: dict[str, object] = field(default_factory=dict)  # options that shaped the run
    declared: Declared = field(default_factory=Declared)  # masks the app's secrets in output
    aborted: str | None = None  # why not every attempt completed (first failure, budget, Ctrl-C)
    interrupted: bool = False  # stopped by the user (Ctrl-C)

    @property
    def leaked(self) -> tuple[AttemptResult, ...]:
        """Replies that disclosed something outside their own family's goal."""
        return tuple(a for a in self.attempts if a.leaks)

    @property
    def any_failed(self) -> bool:
        return any(f.failed for f in self.families) or bool(self.leaked)

    @property
    def any_inconclusive(self) -> bool:
        return any(f.verdict is Verdict.INCONCLUSIVE for f in self.families)
