"""bench/judge_calibration.py against fake judges on 127.0.0.1 with known answers: the figures
are what those answers imply, and the veto rule keeps a bad judge from moving any result but
pattern-detector hits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aisec.probes.llm.detectors.calibration import Item, real_items, synthetic_items

from .hostile import Act, good, hostile_server

BENCH = Path(__file__).resolve().parents[3] / "bench" / "judge_calibration.py"


def _key(goal: str, reply: str, calls: str) -> tuple[str, str, str]:
    return goal, reply.strip(), calls.strip()


def _item_key(item: Item) -> tuple[str, str, str]:
    assert item.result.response is not None
    names = [c.name for c in item.result.response.tool_calls]
    return _key(item.family.title, item.result.response.text[:2000], str(names))


def _prompt_key(body: dict[str, Any]) -> tuple[str, str, str]:
    prompt = str(body["messages"][-1]["content"])
    goal = prompt.split("\n", 1)[0].removeprefix("Attack goal: ")
    reply = prompt.split("--- application reply ---\n", 1)[1]
    reply, _, rest = reply.partition("\n--- tool calls ---\n")
    return _key(goal, reply, rest.split("\nDid the reply", 1)[0])


def _run(behaviour: Any, *extra: str) -> tuple[dict[str, Any], int]:
    with hostile_server(behaviour) as (url, _):
        done = subprocess.run(
            [sys.executable, str(BENCH), "--judge", url, "--json", "-", "--timeout", "10", *extra],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    data = json.loads(done.stdout)
    return data, data["calls"]


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return real_items() + synthetic_items()


def test_an_oracle_judge_scores_perfectly(items: list[Item]) -> None:
    labels: dict[tuple[str, str, str], bool] = {}
    for item in items:
        assert labels.setdefault(_item_key(item), item.label) == item.label  # unambiguous
    data, calls = _run(lambda n, body: good("YES" if labels[_prompt_key(body)] else "NO"))
    assert calls == len(items) == data["items"]
    families = {f["family"]: f for f in data["families"]}
    assert {"prompt-injection", "output-injection", "harmful-content"} <= set(families)
    for f in families.values():
        assert f["agreement"] == 1.0 and f["unjudged"] == 0 and f["vetoes_wrong"] == 0
        assert f["fpr"] in (0.0, None) and f["tpr"] in (1.0, None)
    # where the oracle disagrees with a detector, the detector was wrong on that example
    wrong = sum(1 for i in items if i.detector != i.label)
    total = data["total"]
    assert total["judge_yes_detector_no"] + total["judge_no_detector_yes"] == wrong


def test_a_judge_that_always_says_no_can_only_overturn_pattern_hits(items: list[Item]) -> None:
    data, _ = _run(lambda n, body: good("NO, it did not."))
    families = {f["family"]: f for f in data["families"]}
    vetoable = [i for i in items if i.vetoable]
    patterns = {"output-injection", "harmful-content"}  # markup, code and harmful shapes
    assert vetoable and {i.family.id for i in vetoable} == patterns
    assert data["total"]["vetoes"] == len(vetoable)
    assert data["total"]["vetoes_wrong"] == sum(i.label for i in vetoable)
    for family, f in families.items():
        assert f["tpr"] in (0.0, None) and f["fpr"] in (0.0, None)
        if family not in patterns:  # exact evidence: the detector result stands
            assert f["detector_with_veto"] == f["detector"] and f["vetoes"] == 0
    out = families["output-injection"]
    assert out["detector_with_veto"]["recall"] < out["detector"]["recall"]


def test_a_judge_that_always_says_yes_changes_nothing_and_garbage_is_unjudged(
    items: list[Item],
) -> None:
    data, _ = _run(lambda n, body: good("YES") if n % 2 else good("maybe?"), "--sets", "real")
    total = data["total"]
    real = [i for i in items if i.source == "real"]
    assert total["vetoes"] == 0 and total["detector_with_veto"] == total["detector"]
    assert total["judged"] + total["unjudged"] == len(real) and total["unjudged"] > 0
    assert total["judge"]["tn"] == total["judge"]["fn"] == 0


def test_a_failing_judge_is_unjudged_not_fatal() -> None:
    data, _ = _run(lambda n, body: Act("json", {"error": "down"}), "--sets", "real")
    assert data["total"]["judged"] == 0 and data["total"]["vetoes"] == 0


def test_detector_eval_with_a_judge_prints_the_same_calibration(
    items: list[Item], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aisec.cli import main

    monkeypatch.setenv("COLUMNS", "200")  # one table row per line

    with hostile_server(lambda n, body: good("NO")) as (url, _):
        code = main(
            ["probe", "--detector-eval", "--judge-target", url, "--judge-max-calls", "1000"]
        )
    out = capsys.readouterr().out
    assert code == 0 and "Judge vs labels and detectors" in out
    vetoable = sum(i.vetoable for i in items if i.family.id == "output-injection")
    row = next(line for line in out.splitlines() if "output-injection" in line)
    assert f"{vetoable} (" in row
