"""Without the ml extra the demo still says what it did not collect, in the report itself, and
prints progress per evidence step (issue 17, newcomer path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import aisec.probes.ml.deps as deps
from aisec.common.errors import MissingExtraError
from aisec.demo import PRODUCERS, demo_evidence
from aisec.service import ReportFormat, run_assessment, write_reports
from aisec.system import load_system

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def test_missing_ml_extra_is_recorded_as_skipped_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise MissingExtraError("ml", "sklearn")

    monkeypatch.setattr(deps, "require_ml", missing)
    monkeypatch.setitem(PRODUCERS, "aisec scan", lambda *a: None)  # only the ML step here
    system_path = EXAMPLES / "fraud-classifier.yaml"
    lines: list[str] = []
    paths = demo_evidence(load_system(system_path), system_path, tmp_path, lines.append)
    assert "  aisec mltest: running ..." in lines
    assert any("SKIPPED" in line and "pip install" in line for line in lines)
    (evidence,) = paths
    doc = json.loads(evidence.read_text(encoding="utf-8"))
    assert doc["findings"] == [] and "aisec[ml]" in doc["skipped"][0]
    run = run_assessment(system_path, EXAMPLES / "fraud-classifier.assessment.yaml", paths)
    (html,) = write_reports(run.report, tmp_path / "out", [ReportFormat.HTML])
    assert "aisec[ml]" in html.read_text(encoding="utf-8")
