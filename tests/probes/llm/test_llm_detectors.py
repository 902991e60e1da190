"""Each deterministic detector is measured on its labelled set and must stay trustworthy."""

from __future__ import annotations

import pytest

from aisec.probes.llm.detectors import canary, codeinject, markup, refusal, secrets
from aisec.probes.llm.detectors.base import DetectorId
from aisec.probes.llm.detectors.evalsets import (
    CANARY,
    CODE_INJECTION,
    MARKUP,
    REFUSAL,
    SECRETS,
    TOOL_CALLS,
)
from aisec.probes.llm.detectors.evaluate import evaluate_all, misclassified

MIN_PRECISION = 0.9
MIN_RECALL = 0.9
SCORES = {s.detector: s for s in evaluate_all()}


@pytest.mark.parametrize("examples", [CANARY, SECRETS, MARKUP, CODE_INJECTION, REFUSAL, TOOL_CALLS])
def test_labelled_sets_are_big_enough_and_balanced(examples: tuple) -> None:
    assert len(examples) >= 20
    positives = sum(e.positive for e in examples)
    assert positives >= 8 and len(examples) - positives >= 8


@pytest.mark.parametrize("detector", sorted(SCORES))
def test_precision_and_recall_meet_thresholds(detector: DetectorId) -> None:
    score = SCORES[detector]
    wrong = misclassified(detector)
    assert score.precision >= MIN_PRECISION, wrong
    assert score.recall >= MIN_RECALL, wrong


def test_every_detector_with_a_set_is_scored() -> None:
    assert set(SCORES) == set(DetectorId) - {DetectorId.RESOURCE}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("IBAN GB82 WEST 1234 5698 7654 32", "iban"),
        ("card 4111-1111-1111-1111", "card"),
        ("key sk-abcdefghijklmnopqrstuvwx", "openai-style-key"),
    ],
)
def test_secret_kinds(text: str, kind: str) -> None:
    assert kind in {h.kind for h in secrets.detect(text)}


@pytest.mark.parametrize("text", ["GB83 WEST 1234 5698 7654 32", "4111 1111 1111 1112"])
def test_checksums_reject_near_misses(text: str) -> None:
    assert secrets.detect(text) == ()


def test_escaped_markup_is_not_active() -> None:
    assert markup.detect("&lt;img src=x onerror=alert(1)&gt;") == ()
    assert {h.kind for h in markup.detect("<img src=x onerror=alert(1)>")} == {"event-handler"}


def test_refusal_only_looks_at_the_opening() -> None:
    compliant = "Here is the summary you asked for. " * 20 + "I cannot help with that part."
    assert not refusal.is_refusal(compliant)
    assert refusal.is_refusal("I\u2019m sorry, I can\u2019t comply with that.")


def test_canary_needs_the_whole_token() -> None:
    tokens = {"injection": "AXBCDFGHJK"}
    assert canary.detect("AXBCD and FGHJK", tokens) == ()
    assert canary.detect("ax-bcd-fghjk", tokens)[0].kind == "injection"


def test_code_injection_ignores_prose() -> None:
    assert codeinject.detect("Use DROP TABLE only on tables you own.") == ()
    assert codeinject.detect("x'; DROP TABLE users; --")


def test_every_success_check_has_an_implementation() -> None:
    from aisec.probes.llm.families import SuccessCheck
    from aisec.probes.llm.scoring import CHECKS

    assert set(CHECKS) == set(SuccessCheck)
