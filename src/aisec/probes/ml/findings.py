"""Turn measurements into `Finding`s: a verdict from the thresholds, the metrics as details, and
the catalogue threats and controls each measurement is evidence for.

A pass is emitted too, so `aisec assess` can mark the controls verified; a test that could not run
becomes an `error` or `not-scanned` finding, never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisec.probes.finding import Finding, Severity, Verdict
from aisec.probes.ml.evasion import EvasionResult
from aisec.probes.ml.extraction import ExtractionResult
from aisec.probes.ml.interface import TOOL, MLTest
from aisec.probes.ml.membership import MembershipResult
from aisec.probes.ml.poisoning import PoisoningResult
from aisec.probes.ml.thresholds import Thresholds

THREATS: dict[MLTest, list[str]] = {
    MLTest.EVASION: ["evasion"],
    MLTest.MEMBERSHIP_INFERENCE: ["membership-inference", "model-inversion"],
    MLTest.EXTRACTION: ["model-exfiltration"],
    MLTest.POISONING: ["data-poisoning"],
}
# Controls a measurement exercises: always (the model itself), only when the deployed endpoint
# was tested (runtime controls were in the attack path), and only when an output defence
# (rounding, labels only, or whatever the endpoint exposes) stood between model and attacker.
MODEL_CONTROLS: dict[MLTest, list[str]] = {
    MLTest.EVASION: [
        "evasion-robust-model",
        "train-adversarial",
        "adversarial-robust-distillation",
    ],
    MLTest.MEMBERSHIP_INFERENCE: ["obfuscate-training-data", "small-model"],
    MLTest.EXTRACTION: [],
    MLTest.POISONING: ["data-quality-control"],
}
RUNTIME_CONTROLS: dict[MLTest, list[str]] = {
    MLTest.EVASION: ["evasion-input-handling", "input-distortion", "anomalous-input-handling"],
    MLTest.MEMBERSHIP_INFERENCE: [],
    MLTest.EXTRACTION: ["rate-limit", "model-access-control", "unwanted-input-series-handling"],
    MLTest.POISONING: [],
}
OUTPUT_CONTROLS: dict[MLTest, list[str]] = {
    MLTest.EVASION: [],
    MLTest.MEMBERSHIP_INFERENCE: ["obscure-confidence"],
    MLTest.EXTRACTION: ["obscure-confidence"],
    MLTest.POISONING: [],
}


@dataclass(frozen=True)
class Scope:
    """What stood between the attacker and the model during the measurement."""

    deployed: bool = False
    output_defence: bool = False

    def controls(self, test: MLTest) -> tuple[list[str], list[str]]:
        """(controls the measurement is evidence for, related controls it did not exercise)."""
        used, unused = list(MODEL_CONTROLS[test]), list[str]()
        for group, active in (
            (RUNTIME_CONTROLS[test], self.deployed),
            (OUTPUT_CONTROLS[test], self.deployed or self.output_defence),
        ):
            (used if active else unused).extend(group)
        return used, unused


FAIL_SEVERITY: dict[MLTest, Severity] = {
    MLTest.EVASION: Severity.HIGH,
    MLTest.MEMBERSHIP_INFERENCE: Severity.HIGH,
    MLTest.EXTRACTION: Severity.MEDIUM,
    MLTest.POISONING: Severity.MEDIUM,
}


def _finding(
    test: MLTest,
    ok: bool,
    location: str,
    message: str,
    details: dict[str, Any],
    sha256: str | None,
    scope: Scope,
) -> Finding:
    used, unused = scope.controls(test)
    if unused:
        details = details | {
            "controls_not_exercised": unused,
            "scope_note": "the model was tested without these in the attack path; test the "
            "deployed endpoint (--endpoint) or put the defence in front to verify them",
        }
    return Finding(
        tool=TOOL,
        rule_id=f"mltest.{test.value}",
        verdict=Verdict.PASS if ok else Verdict.FAIL,
        severity=Severity.INFO if ok else FAIL_SEVERITY[test],
        location=location,
        message=message,
        threat_ids=THREATS[test],
        control_ids=used,
        sha256=sha256,
        details=details,
    )


def problem_finding(
    test: MLTest,
    verdict: Verdict,
    location: str,
    why: str,
    sha256: str | None,
    scope: Scope = Scope(),
) -> Finding:
    """A test that crashed (error) or could not apply (not-scanned)."""
    return Finding(
        tool=TOOL,
        rule_id=f"mltest.{test.value}",
        verdict=verdict,
        severity=Severity.INFO,
        location=location,
        message=why,
        threat_ids=THREATS[test],
        control_ids=scope.controls(test)[0],
        sha256=sha256,
    )


def _nearest(values: dict[float, float], eps: float) -> tuple[float, float]:
    key = min(values, key=lambda e: abs(e - eps))
    return key, values[key]


def evasion_finding(
    r: EvasionResult, t: Thresholds, location: str, sha: str | None, scope: Scope = Scope()
) -> Finding:
    head = r.headline
    eps, robust = _nearest(head.robust_accuracy, t.evasion.eps)
    drop = r.clean_accuracy - robust
    ok = drop <= t.evasion.max_accuracy_drop
    details = r.to_details() | {
        "verdict_basis": {
            "attack": head.attack,
            "eps": eps,
            "accuracy_drop": round(drop, 6),
            "max_accuracy_drop": t.evasion.max_accuracy_drop,
        },
    }
    msg = (
        f"{head.attack}: accuracy {r.clean_accuracy:.3f} -> {robust:.3f} at eps={eps:g} sd "
        f"(drop {drop:.3f}, limit {t.evasion.max_accuracy_drop:g}; n={r.n})"
    )
    return _finding(MLTest.EVASION, ok, location, msg, details, sha, scope)


def membership_finding(
    r: MembershipResult, t: Thresholds, location: str, sha: str | None, scope: Scope = Scope()
) -> Finding:
    w = r.worst
    tpr = r.max_tpr_at_1pct
    th = t.membership_inference
    ok = w.auc <= th.max_auc and tpr <= th.max_tpr_at_1pct_fpr
    details = r.to_details() | {
        "verdict_basis": {
            "auc": round(w.auc, 6),
            "tpr_at_1pct_fpr": round(tpr, 6),
            "max_auc": th.max_auc,
            "max_tpr_at_1pct_fpr": th.max_tpr_at_1pct_fpr,
        },
        "model_inversion": "indirect: the same confidence leakage, not an inversion attack",
    }
    msg = (
        f"membership inference AUC {w.auc:.3f} (limit {th.max_auc:g}), TPR@1%FPR {tpr:.3f} "
        f"(limit {th.max_tpr_at_1pct_fpr:g}); {r.n_members} members / "
        f"{r.n_nonmembers} non-members"
    )
    return _finding(MLTest.MEMBERSHIP_INFERENCE, ok, location, msg, details, sha, scope)


def extraction_finding(
    r: ExtractionResult, t: Thresholds, location: str, sha: str | None, scope: Scope = Scope()
) -> Finding:
    fid = r.largest_budget_fidelity
    ok = fid <= t.extraction.max_fidelity
    details = r.to_details() | {
        "verdict_basis": {
            "budget": max(r.budgets),
            "fidelity": round(fid, 6),
            "max_fidelity": t.extraction.max_fidelity,
        },
    }
    msg = (
        f"surrogate from {max(r.budgets)} queries agrees with the target on {fid:.3f} of "
        f"{r.n_eval} held-out rows (limit {t.extraction.max_fidelity:g})"
    )
    return _finding(MLTest.EXTRACTION, ok, location, msg, details, sha, scope)


def poisoning_finding(
    r: PoisoningResult, t: Thresholds, location: str, sha: str | None, scope: Scope = Scope()
) -> Finding:
    frac = r.flagged_fraction
    ok = frac <= t.poisoning.max_flagged_fraction
    details = r.to_details() | {
        "verdict_basis": {
            "flagged_fraction": round(frac, 6),
            "max_flagged_fraction": t.poisoning.max_flagged_fraction,
        },
    }
    msg = (
        f"{len(r.flagged)} of {r.n} training rows look mislabelled or planted "
        f"({frac:.1%}, limit {t.poisoning.max_flagged_fraction:.1%})"
    )
    return _finding(MLTest.POISONING, ok, location, msg, details, sha, scope)
