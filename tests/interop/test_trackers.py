"""Roadmap to trackers: a CSV Jira/GitHub importers read, and SARIF where a file is at fault."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.service import AssessmentRun

Example = Callable[[str], tuple[Path, Path | None]]
# A pickle that would call os.system when loaded (it is only ever scanned, never loaded).
EVIL_PICKLE = b"cos\nsystem\n(S'echo hi'\ntR."


def test_jira_csv_rows_carry_rationale_owner_due_and_labels(
    example: Example, tmp_path: Path
) -> None:
    system, _ = example("fraud-classifier")
    assessment = tmp_path / "a.yaml"
    assessment.write_text(
        "system: fraud-classifier\ncontrols:\n"
        "  oversight: {status: planned, owner: Fraud Analytics, due: 2027-01-31}\n"
    )
    out = tmp_path / "roadmap.csv"
    assert main(["export", "roadmap", str(system), "-a", str(assessment), "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    header = rows[0]
    assert header[:6] == ["Summary", "Issue Type", "Priority", "Description", "Owner", "Due Date"]
    assert set(header[6:]) == {"Labels"}
    item = next(r for r in rows[1:] if "(oversight)" in r[0])
    assert item[4:6] == ["Fraud Analytics", "2027-01-31"]
    assert "residual risk points" in item[3] and "Threats it lowers:" in item[3]
    assert "aisec" in item[6:] and "aisec-agt" in item[6:]


def test_github_style(vendor_run: AssessmentRun, example: Example, tmp_path: Path) -> None:
    system, assessment = example("vendor-finetune-api")
    out = tmp_path / "gh.csv"
    args = ["export", "roadmap", str(system), "-a", str(assessment), "--style", "github"]
    assert main([*args, "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == len(vendor_run.result.roadmap)
    assert rows[0]["labels"].startswith("aisec,") and rows[0]["title"].startswith("[aisec]")
    assert main([*args[:-1], "gitlab"]) == 2


def test_sarif_names_the_file_the_failing_evidence_points_at(
    example: Example, tmp_path: Path
) -> None:
    system, assessment = example("fraud-classifier")
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(system.parent / "models/fraud.skops", models)
    (models / "evil.pkl").write_bytes(EVIL_PICKLE)
    copy = tmp_path / system.name
    copy.write_text(
        system.read_text().replace(
            "artifacts: [models/fraud.skops]", "artifacts: [models/fraud.skops, models/evil.pkl]"
        )
    )
    scan = tmp_path / "scan.json"
    assert (
        main(["scan", str(models / "evil.pkl"), str(models / "fraud.skops"), "--json", str(scan)])
        == 1
    )
    sarif = tmp_path / "roadmap.sarif"
    args = ["export", "roadmap", str(copy), "-a", str(assessment), "-e", str(scan)]
    assert main([*args, "--sarif", str(sarif), "-o", str(tmp_path / "r.csv")]) == 0
    run = json.loads(sarif.read_text())["runs"][0]
    assert run["results"], "the malicious pickle should tie a roadmap item to a file"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert any(u.endswith("evil.pkl") for u in uris)
    assert not any(u.endswith("fraud.skops") for u in uris)  # clean files are not work items
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert all(r["ruleId"] in rule_ids for r in run["results"])


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "@SUM(1)"])
def test_csv_cells_never_start_a_formula(text: str) -> None:
    from aisec.reports.exporters.trackers import _safe

    assert _safe([text])[0].startswith("'")
