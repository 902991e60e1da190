from __future__ import annotations

import pytest

from aisec.probes.llm.stats import wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 100, 0.0018, 0.0545),
    ],
)
def test_wilson_matches_reference_values(k: int, n: int, low: float, high: float) -> None:
    rate = wilson(k, n)
    assert rate.low == pytest.approx(low, abs=1e-4)
    assert rate.high == pytest.approx(high, abs=1e-4)
    assert rate.low <= (rate.value or 0) <= rate.high


def test_empty_sample_is_fully_uncertain() -> None:
    rate = wilson(0, 0)
    assert (rate.value, rate.low, rate.high) == (None, 0.0, 1.0)


@pytest.mark.parametrize(("k", "n"), [(-1, 3), (4, 3), (0, -1)])
def test_invalid_counts_rejected(k: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson(k, n)
