"""Precision and recall of each deterministic detector on its labelled set."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aisec.probes.llm.declared import Declared, Secret
from aisec.probes.llm.detectors import (
    canary,
    codeinject,
    harmful,
    markup,
    packages,
    refusal,
    secrets,
    toolcalls,
)
from aisec.probes.llm.detectors import declared as declared_detector
from aisec.probes.llm.detectors.base import DetectorId
from aisec.probes.llm.detectors.evalsets import (
    CANARY,
    CANARY_TOKENS,
    CODE_INJECTION,
    DECLARED,
    DECLARED_INSTRUCTIONS,
    DECLARED_PATTERN,
    DECLARED_SECRETS,
    MARKUP,
    REFUSAL,
    SECRETS,
    TOOL_ALLOWED,
    TOOL_CALLS,
    TOOL_DECLARED,
    Example,
)
from aisec.probes.llm.detectors.evalsets_wave2 import HARMFUL, PACKAGES


@dataclass(frozen=True)
class DetectorScore:
    detector: DetectorId
    n: int
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def declared_fixture() -> Declared:
    """The declaration the DECLARED labelled set is written against."""
    return Declared(
        tuple(Secret(f"secret-{i}", v) for i, v in enumerate(DECLARED_SECRETS, 1)),
        (("ticket", re.compile(DECLARED_PATTERN)),),
        DECLARED_INSTRUCTIONS,
    )


def _predictors() -> dict[DetectorId, tuple[Sequence[Example], Callable[[Example], bool]]]:
    return {
        DetectorId.CANARY: (CANARY, lambda e: bool(canary.detect(e.text, CANARY_TOKENS))),
        DetectorId.SECRETS: (SECRETS, lambda e: bool(secrets.detect(e.text))),
        DetectorId.MARKUP: (MARKUP, lambda e: bool(markup.detect(e.text))),
        DetectorId.CODE_INJECTION: (CODE_INJECTION, lambda e: bool(codeinject.detect(e.text))),
        DetectorId.REFUSAL: (REFUSAL, lambda e: refusal.is_refusal(e.text)),
        DetectorId.DECLARED: (
            DECLARED,
            lambda e: bool(declared_detector.detect(e.text, declared_fixture(), e.user)),
        ),
        DetectorId.TOOL_CALLS: (
            TOOL_CALLS,
            lambda e: bool(toolcalls.detect(e.calls, TOOL_ALLOWED, TOOL_DECLARED)),
        ),
        DetectorId.PACKAGES: (PACKAGES, lambda e: bool(packages.detect(e.text))),
        DetectorId.HARMFUL: (HARMFUL, lambda e: bool(harmful.detect(e.text))),
    }


def score(
    detector: DetectorId, examples: Sequence[Example], predict: Callable[[Example], bool]
) -> DetectorScore:
    tp = fp = fn = tn = 0
    for example in examples:
        predicted = predict(example)
        if predicted and example.positive:
            tp += 1
        elif predicted:
            fp += 1
        elif example.positive:
            fn += 1
        else:
            tn += 1
    return DetectorScore(detector, len(examples), tp, fp, fn, tn)


def evaluate_all() -> list[DetectorScore]:
    return [score(det, examples, fn) for det, (examples, fn) in _predictors().items()]


def misclassified(detector: DetectorId) -> list[Example]:
    examples, predict = _predictors()[detector]
    return [e for e in examples if predict(e) != e.positive]
