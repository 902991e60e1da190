"""Shared fixtures of the interop tests: the bundled examples assessed once per session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisec.service import AssessmentRun, bundled_examples, run_assessment

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def _example(name: str) -> tuple[Path, Path | None]:
    for system_id, system, assessment in bundled_examples():
        if system_id == name:
            return system, assessment
    raise KeyError(name)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def example() -> Callable[[str], tuple[Path, Path | None]]:
    return _example


@pytest.fixture(scope="session")
def vendor_run() -> AssessmentRun:
    system, assessment = _example("vendor-finetune-api")
    return run_assessment(system, assessment, now=NOW)


@pytest.fixture(scope="session")
def rag_run() -> AssessmentRun:
    system, assessment = _example("rag-assistant")
    return run_assessment(system, assessment, now=NOW)
