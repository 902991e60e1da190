"""Run settings and the member / non-member / attacker-population split the tool makes itself.

Everything that changes a number is here and is written into the evidence: the seed, sample
sizes, perturbation budgets, query budgets and which rows played which role. The same settings
and seed give identical results.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DEFAULT_EPS = (0.05, 0.1, 0.25, 0.5, 1.0)
DEFAULT_BUDGETS = (50, 200, 1000, 5000)
MAX_BUDGET = 1_000_000  # queries per extraction run; the surrogate's training set lives in memory


@dataclass(frozen=True)
class Settings:
    """Sizes and budgets of the four tests. `eps` is in per-feature standard deviations."""

    seed: int = 0
    eps: tuple[float, ...] = DEFAULT_EPS
    evasion_samples: int = 40
    hsj_max_iter: int = 10
    hsj_max_eval: int = 200
    hsj_init_eval: int = 20
    pgd_max_iter: int = 20
    mia_max_samples: int = 2000
    shadow_models: int = 2
    reference_models: int = 4
    extraction_budgets: tuple[int, ...] = DEFAULT_BUDGETS
    extraction_noise: float = 0.25
    poisoning_folds: int = 5
    poisoning_label_threshold: float = 0.2
    poisoning_top_k: int = 25

    def __post_init__(self) -> None:
        if not self.eps or any(not math.isfinite(e) or e <= 0 for e in self.eps):
            raise ValueError("eps values must be positive finite numbers")
        if not self.extraction_budgets or any(
            not 0 < b <= MAX_BUDGET for b in self.extraction_budgets
        ):
            raise ValueError(f"extraction budgets must be between 1 and {MAX_BUDGET}")
        if self.evasion_samples <= 0 or self.mia_max_samples <= 0 or self.shadow_models <= 0:
            raise ValueError("sample sizes must be positive")

    def to_details(self) -> dict[str, Any]:
        data = asdict(self)
        data["eps_unit"] = "per-feature standard deviations of the evaluation data"
        return data


@dataclass(frozen=True)
class Split:
    """Rows by role. Labels are class indices of the target (0..k-1).

    members: the model's training rows. evaluation: held-out rows never shown to the attacker
    (non-members for membership inference, evasion samples, fidelity set). population: other
    held-out rows the attacker may own (shadow-model data, extraction seeds).
    """

    x_members: np.ndarray
    y_members: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    x_pop: np.ndarray
    y_pop: np.ndarray
    how: str

    def to_details(self) -> dict[str, Any]:
        return {
            "members": len(self.x_members),
            "evaluation": len(self.x_eval),
            "population": len(self.x_pop),
            "how": self.how,
        }


def split_holdout(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_hold: np.ndarray,
    y_hold: np.ndarray,
    seed: int,
    how: str,
) -> Split:
    """Shuffle the held-out rows (seeded) and cut them into evaluation and population halves."""
    import numpy as np

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x_hold))
    half = len(order) // 2
    ev, pop = order[:half], order[half:]
    mem = rng.permutation(len(x_train))
    return Split(x_train[mem], y_train[mem], x_hold[ev], y_hold[ev], x_hold[pop], y_hold[pop], how)


def split_one_table(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """Seeded stratified 50/50 cut of one table into (x_train, y_train, x_hold, y_hold)."""
    from sklearn.model_selection import train_test_split

    x_tr, x_ho, y_tr, y_ho = train_test_split(x, y, test_size=0.5, random_state=seed, stratify=y)
    return x_tr, y_tr, x_ho, y_ho
