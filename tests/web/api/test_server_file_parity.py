"""The server treats the user's files as the CLI does: a decision recorded over HTTP keeps the
rest of the assessment YAML as written (comments, order, quoting), and a system imported with
open questions is warned about on the server exactly as `aisec assess` warns about the file."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import yaml
from apiworld import SYSTEM, World, example

from aisec.catalog import default_catalog
from aisec.service import run_assessment
from aisec.store.assessing import parse_assessment_text
from aisec.system.importers.cyclonedx_bom import import_cyclonedx

WS = "/api/v1/workspaces/acme"
SYS = f"{WS}/systems/{SYSTEM}"
BOM = Path(__file__).parents[2] / "interop" / "data" / "support-bot.cdx.json"


def _commented(assessment: str) -> str:
    lines = assessment.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("controls:"))
    lines[at:at] = ["# Reviewed with the platform team on 2026-11-02 (ticket SEC-114)."]
    lines.insert(at + 2, "  # owners below are teams, not people")
    return "\n".join(["# Kept by the assessor: do not reformat", *lines, "# end of file", ""])


def test_a_decision_over_http_keeps_the_users_yaml_text(world: World) -> None:
    c, h = world.client, world.as_("wsadmin")
    _, assessment = example(SYSTEM)
    assert assessment is not None
    mine = _commented(assessment)
    saved = c.put(f"{SYS}/assessment", json={"yaml": mine}, headers=h)
    assert saved.status_code == 200, saved.text
    threat = sorted(default_catalog().threats)[0]
    decided = c.post(
        f"{SYS}/decisions",
        json={"threat": threat, "treatment": "mitigate", "justification": "on the roadmap"},
        headers=h,
    )
    assert decided.status_code == 201, decided.text
    text = decided.json()["yaml"]
    # everything the user wrote is still there, line for line and in order; only lines added
    diff = list(difflib.ndiff(mine.splitlines(), text.splitlines()))
    assert [line for line in diff if line.startswith("- ")] == []
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert added[0] == f"  - threat: {threat}" and len(added) <= 8, added
    for comment in ("# Kept by the assessor", "(ticket SEC-114)", "# owners below are teams"):
        assert comment in text
    # and it reads (safe loader, aisec's checks) as the same data plus the one decision
    catalog = default_catalog()
    before, after = yaml.safe_load(mine), yaml.safe_load(text)
    (new,) = [d for d in after["decisions"] if d["threat"] == threat]
    assert new["decided_by"] and new["treatment"] == "mitigate"
    assert {k: v for k, v in after.items() if k != "decisions"} == {
        k: v for k, v in before.items() if k != "decisions"
    }
    assert [d for d in after["decisions"] if d["threat"] != threat] == before.get("decisions", [])
    assert parse_assessment_text(text, catalog).system == SYSTEM
    stored = c.get(f"{SYS}/assessments/{decided.json()['number']}", headers=h).json()["yaml"]
    assert stored == text


def test_open_import_questions_are_warned_on_the_server_as_in_the_cli(
    world: World, tmp_path: Path
) -> None:
    imported = import_cyclonedx(BOM)
    text = imported.to_yaml()
    sid = imported.validated().id
    created = c_post = world.client.post(
        f"{WS}/systems", json={"yaml": text}, headers=world.as_("assessor")
    )
    assert c_post.status_code == 201, created.text
    report = world.client.get(
        f"{WS}/systems/{sid}/report", params={"format": "json"}, headers=world.as_("auditor")
    )
    server = [
        w for w in json.loads(report.text)["warnings"] if w["code"] == "import-questions-open"
    ]
    path = tmp_path / f"{sid}.yaml"
    path.write_text(text, encoding="utf-8")
    cli = [
        w.model_dump(mode="json")
        for w in run_assessment(path).result.warnings
        if w.code.value == "import-questions-open"
    ]
    assert len(server) == 1 and server == cli
    assert "Q8 interfaces[0].exposure" in server[0]["message"]
