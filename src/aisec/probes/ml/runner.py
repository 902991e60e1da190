"""Run the selected tests against a prepared target and split, and wrap the results as evidence.

A test that crashes becomes an `error` finding (and an entry in `errors`), one that cannot apply
becomes `not-scanned` (and an entry in `skipped`); the others always run. Seeds, the split,
sizes, budgets and library versions go into the report summary.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aisec import __version__
from aisec.probes.finding import EvidenceReport, Finding, Verdict
from aisec.probes.ml import findings as fmap
from aisec.probes.ml.deps import library_versions
from aisec.probes.ml.evasion import run_evasion
from aisec.probes.ml.extraction import run_extraction
from aisec.probes.ml.interface import TOOL, MLTest, Target
from aisec.probes.ml.membership import run_membership
from aisec.probes.ml.poisoning import run_poisoning
from aisec.probes.ml.settings import Settings, Split
from aisec.probes.ml.thresholds import Thresholds

if TYPE_CHECKING:
    import numpy as np

ALL_TESTS = tuple(MLTest)


@dataclass(frozen=True)
class Job:
    """Everything one run needs; built by `setup.prepare` or directly by tests and the bench."""

    target: Target
    split: Split
    train_x: np.ndarray
    train_y: np.ndarray
    subject: str
    sha256: str | None = None
    membership_possible: bool = True
    tests: tuple[MLTest, ...] = ALL_TESTS
    settings: Settings = Settings()
    thresholds: Thresholds = Thresholds()
    provenance: tuple[tuple[str, str], ...] = ()
    scope: fmap.Scope = fmap.Scope()


def _run_one(job: Job, test: MLTest) -> Finding:
    s, t, loc, sha = job.settings, job.thresholds, job.target.description, job.sha256
    sc = job.scope
    if test is MLTest.EVASION:
        return fmap.evasion_finding(
            run_evasion(job.target, job.split.x_eval, job.split.y_eval, s), t, loc, sha, sc
        )
    if test is MLTest.MEMBERSHIP_INFERENCE:
        return fmap.membership_finding(run_membership(job.target, job.split, s), t, loc, sha, sc)
    if test is MLTest.EXTRACTION:
        return fmap.extraction_finding(run_extraction(job.target, job.split, s), t, loc, sha, sc)
    return fmap.poisoning_finding(
        run_poisoning(job.train_x, job.train_y, s), t, "training data", None, sc
    )


def run(job: Job, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> EvidenceReport:
    """Run every selected test with one BLAS/OpenMP thread.

    The models under test are small; on a busy machine multi-threaded BLAS oversubscribes the
    cores and slows logistic-regression fits a hundredfold. One thread is also reproducible.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _run(job, clock)


def _run(job: Job, clock: Callable[[], datetime]) -> EvidenceReport:
    found: list[Finding] = []
    skipped: list[str] = []
    errors: list[str] = []
    seconds: dict[str, float] = {}
    for test in job.tests:
        if test is MLTest.MEMBERSHIP_INFERENCE and not job.membership_possible:
            why = (
                "membership inference needs rows known NOT to be in the training set: "
                "pass --test with held-out data"
            )
            skipped.append(f"{test.value}: {why}")
            found.append(
                fmap.problem_finding(
                    test, Verdict.NOT_SCANNED, job.target.description, why, job.sha256, job.scope
                )
            )
            continue
        start = time.perf_counter()
        try:
            found.append(_run_one(job, test))
        except Exception as exc:  # failures are data: record and carry on with the next test
            why = f"{type(exc).__name__}: {exc}"
            errors.append(f"{test.value}: {why}")
            found.append(
                fmap.problem_finding(
                    test, Verdict.ERROR, job.target.description, why, job.sha256, job.scope
                )
            )
        seconds[test.value] = round(time.perf_counter() - start, 3)
    summary: dict[str, Any] = {
        "seed": job.settings.seed,
        "settings": job.settings.to_details(),
        "split": job.split.to_details(),
        "library_versions": library_versions(),
        "target_output": job.target.output_kind.value,
        "target_classes": [str(c) for c in job.target.classes],
        "target_queries_total": job.target.queries,
        "thresholds": job.thresholds.model_dump(),
        "provenance": dict(job.provenance),
        "scope": {
            "deployed_endpoint": job.scope.deployed,
            "output_defence": job.scope.output_defence,
        },
        "seconds": seconds,
        "verdicts": {f.rule_id: f.verdict.value for f in found},
    }
    return EvidenceReport(
        tool=TOOL,
        tool_version=__version__,
        generated_at=clock(),
        subject=job.subject,
        findings=found,
        skipped=skipped,
        errors=errors,
        summary=summary,
    )
