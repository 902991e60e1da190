"""Pass/fail thresholds for the four measurements, with documented defaults.

Defaults (override with `--thresholds FILE.yaml`, same keys):
- evasion: at ε = 0.25 standard deviations per feature (L∞), accuracy may drop by at most 0.10.
  A quarter of a standard deviation is a change an attacker can usually make to tabular inputs
  without it looking odd; losing more than a tenth of accuracy there means the model is not robust.
- membership inference: AUC ≤ 0.60 and TPR ≤ 5 % at 1 % FPR, for the stronger of the two attacks
  (0.5 is chance; above 0.6 the model leaks membership noticeably, and the low-FPR rate is what
  identifies individuals).
- extraction: fidelity ≤ 0.90 at the largest query budget (a copy agreeing on more than nine in
  ten held-out rows is a usable stolen model).
- poisoning: at most 3 % of training rows flagged (clean bundled data sets flag 0.5–2.7 %).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvasionThreshold(_Strict):
    eps: float = Field(default=0.25, gt=0)
    max_accuracy_drop: float = Field(default=0.10, ge=0, le=1)


class MembershipThreshold(_Strict):
    max_auc: float = Field(default=0.60, ge=0, le=1)
    max_tpr_at_1pct_fpr: float = Field(default=0.05, ge=0, le=1)


class ExtractionThreshold(_Strict):
    max_fidelity: float = Field(default=0.90, ge=0, le=1)


class PoisoningThreshold(_Strict):
    max_flagged_fraction: float = Field(default=0.03, ge=0, le=1)


class Thresholds(_Strict):
    evasion: EvasionThreshold = EvasionThreshold()
    membership_inference: MembershipThreshold = MembershipThreshold()
    extraction: ExtractionThreshold = ExtractionThreshold()
    poisoning: PoisoningThreshold = PoisoningThreshold()


def load_thresholds(path: Path | None) -> Thresholds:
    """Defaults, or the YAML file's values over them (unknown keys are refused with file:line)."""
    if path is None:
        return Thresholds()
    from aisec.common.yamlio import load_yaml_file, validate_located

    located = load_yaml_file(path)
    if located.data is None:
        return Thresholds()
    return validate_located(Thresholds, located)
