"""An inconclusive probe family never verifies a control in `aisec assess` (issue 16 item 3).

Same system, same assessment, two probe runs of excessive agency: against the hardened
reference target (it calls the allowed tool, so the family passes and its controls are
verified) and against a real HTTP app that answers politely but never calls any tool (the
capability check fails, so the family is inconclusive and verifies nothing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from aisec.cli import main
from aisec.probes.finding import EvidenceReport, Verdict

from .hostile import Act, good, hostile_server

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CONTROLS = ("tool-allow-listing", "least-model-privilege", "human-approval")


def _polite(n: int, body: dict[str, Any]) -> Act:
    user = str(body.get("messages", [{}])[-1].get("content", ""))
    return good(user.rsplit(":", 1)[1].strip() if "this code:" in user else "Happy to help.")


def _assess(url: str, tmp_path: Path, name: str) -> tuple[EvidenceReport, dict[str, Any]]:
    system = yaml.safe_load((EXAMPLES / "email-agent.yaml").read_text(encoding="utf-8"))
    for model in system["models"]:
        model["endpoints"] = [url]
    system_file = tmp_path / f"{name}.yaml"
    system_file.write_text(yaml.safe_dump(system), encoding="utf-8")
    evidence = tmp_path / f"{name}-probe.json"
    main(
        ["probe", "--target", url, "--system", str(system_file), "--no-progress"]
        + ["--only", "excessive-agency", "--obfuscations", "none", "--json", str(evidence)]
    )
    out = tmp_path / f"{name}-out"
    main(
        ["assess", str(system_file), "-a", str(EXAMPLES / "email-agent.assessment.yaml")]
        + ["-e", str(evidence), "-o", str(out), "-f", "json"]
    )
    report = json.loads((out / f"{system['id']}.json").read_text(encoding="utf-8"))
    controls = {c["id"]: c for c in report["controls"]}
    return EvidenceReport.model_validate_json(evidence.read_text()), controls


def test_inconclusive_family_verifies_no_control(hardened_url: str, tmp_path: Path) -> None:
    passed, verified = _assess(hardened_url, tmp_path, "hardened")
    family = next(f for f in passed.findings if f.rule_id == "probe:excessive-agency")
    assert family.verdict is Verdict.PASS
    # the positive case: passing evidence does verify the implemented control
    assert verified["tool-allow-listing"]["assurance"] != "claimed"
    assert verified["tool-allow-listing"]["evidence_outcome"]["outcome"] == "verified"

    with hostile_server(_polite) as (url, _):
        inconclusive, controls = _assess(url, tmp_path, "polite")
    family = next(f for f in inconclusive.findings if f.rule_id == "probe:excessive-agency")
    assert family.verdict is Verdict.INCONCLUSIVE
    assert "allowed-tool" in family.details["inconclusive_reasons"][0]
    for control in CONTROLS:
        assert controls[control]["assurance"] in ("claimed", "none"), controls[control]
        outcome = controls[control]["evidence_outcome"]
        assert outcome["outcome"] == "inconclusive" and "1 inconclusive" in outcome["detail"]
