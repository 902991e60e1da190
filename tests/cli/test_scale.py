"""A system with many identical models is assessed once per distinct model (issue 14 item 13):
reports summarise the repeated rows and name the models they stand for."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aisec.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from many_models import many_model_system  # noqa: E402


def _assess(tmp_path: Path, count: int) -> dict:  # type: ignore[type-arg]
    system = tmp_path / f"sys-{count}.yaml"
    system.write_text(many_model_system(count), encoding="utf-8")
    out = tmp_path / f"out-{count}"
    assert main(["assess", str(system), "-o", str(out), "-f", "json,md"]) == 0
    return json.loads((out / "fraud-classifier.json").read_text(encoding="utf-8"))


def test_repeated_models_are_summarised_not_duplicated(tmp_path: Path) -> None:
    one = _assess(tmp_path, 1)
    many = _assess(tmp_path, 500)
    assert len(many["risks"]) == len(one["risks"])
    note = next(n for n in many["notes"] if "identical descriptions" in n)
    assert "500 models" in note and "fraud-model-0" in note and "and 488 more" in note
    md = (tmp_path / "out-500" / "fraud-classifier.md").read_text(encoding="utf-8")
    assert "identical descriptions" in md
    assert md.count("fraud-model-499") <= 3  # named in the summary, not on every row


def test_distinct_models_are_kept_apart(tmp_path: Path) -> None:
    text = many_model_system(3).replace("trained_by: us", "trained_by: supplier", 1)
    system = tmp_path / "mixed.yaml"
    system.write_text(text, encoding="utf-8")
    assert main(["assess", str(system), "-o", str(tmp_path / "o"), "-f", "json"]) == 0
    doc = json.loads((tmp_path / "o" / "fraud-classifier.json").read_text(encoding="utf-8"))
    components = {r["component"] for r in doc["risks"]}
    assert "fraud-model-0" in components and "fraud-model-1" in components
    assert "fraud-model-2" not in components  # same as fraud-model-1: its rows stand for both
