"""Shared fixtures for the classic-ML tests: small bundled data sets, fitted models, fast settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("art")

from aisec.probes.ml.settings import Settings, Split, split_holdout, split_one_table  # noqa: E402

FAST = Settings(
    seed=0,
    eps=(0.05, 0.25, 1.0, 2.0),
    evasion_samples=12,
    hsj_max_iter=3,
    hsj_max_eval=50,
    hsj_init_eval=10,
    pgd_max_iter=10,
    mia_max_samples=400,
    shadow_models=1,
    reference_models=2,
    extraction_budgets=(20, 200, 1000),
)


def make_split(name: str, seed: int = 0) -> tuple[Split, Any, Any]:
    """Bundled data set → tool-made split, plus the training rows (x, y)."""
    from sklearn import datasets

    loader = getattr(datasets, f"load_{name}")
    x, y = loader(return_X_y=True)
    x_tr, y_tr, x_ho, y_ho = split_one_table(x.astype(float), y, seed)
    return split_holdout(x_tr, y_tr, x_ho, y_ho, seed, "test"), x_tr, y_tr


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread() -> Iterator[None]:
    """BLAS threads fight each other on a loaded 2-core runner (100x slower LR fits)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def digits() -> tuple[Split, Any, Any]:
    return make_split("digits")


@pytest.fixture(scope="session")
def cancer() -> tuple[Split, Any, Any]:
    return make_split("breast_cancer")


@pytest.fixture()
def fast() -> Settings:
    return FAST
