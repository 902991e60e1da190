"""Honest rates: a proportion with its 95 % Wilson score interval.

The Wilson interval stays inside [0, 1] and behaves sensibly for small n and for 0 or n
successes, which is exactly the regime of a probe run (tens of attempts per family).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    successes: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float | None:
        return self.successes / self.n if self.n else None


def wilson(successes: int, n: int, z: float = Z95) -> Rate:
    """Proportion successes/n with its Wilson score interval (0..1 when n == 0)."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"invalid counts: {successes}/{n}")
    if n == 0:
        return Rate(0, 0, 0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Rate(successes, n, low, high)
