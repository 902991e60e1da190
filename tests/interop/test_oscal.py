"""OSCAL exports: valid for compliance-trestle and for NIST's JSON schema, and they round-trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.demo import scan_evidence
from aisec.reports.exporters import oscal_catalog, oscal_poam, oscal_system
from aisec.reports.exporters.oscal_common import read_back
from aisec.reports.exporters.oscal_schema import schema_errors
from aisec.service import AssessmentRun, default_catalog, run_assessment
from aisec.system import load_system

Example = Callable[[str], tuple[Path, Path | None]]


def _round_trip(root: str, text: str) -> dict:  # type: ignore[type-arg]
    """Export -> schema check -> re-read with trestle -> same document."""
    document = json.loads(text)
    assert schema_errors(document) == []
    assert read_back(root, text) == document
    return document[root]  # type: ignore[no-any-return]


def test_catalog_groups_controls_by_category_with_threat_links(now: datetime) -> None:
    catalog = default_catalog()
    doc = _round_trip("catalog", oscal_catalog.catalog_document(catalog, now, "test"))
    groups = {g["id"]: g for g in doc["groups"]}
    assert len(groups) == 10 and "gov" in groups
    assert sum(len(g["controls"]) for g in groups.values()) == len(catalog.controls)
    threats = {r["uuid"]: r for r in doc["back-matter"]["resources"]}
    assert len(threats) == len(catalog.threats)
    control = next(c for g in groups.values() for c in g["controls"] if c["id"] == "ai-program")
    mitigates = [link for link in control["links"] if link["rel"] == "mitigates"]
    assert mitigates and all(link["href"][1:] in threats for link in mitigates)


def test_schema_check_rejects_what_trestle_would_let_through() -> None:
    errors = schema_errors(
        {"catalog": {"uuid": "not-a-uuid", "metadata": {"title": "t"}, "groups": []}}
    )
    assert any(e.startswith("catalog/uuid") for e in errors)
    assert any("last-modified" in e for e in errors)


def test_component_definition_states_vendor_and_customer_share(
    vendor_run: AssessmentRun, now: datetime
) -> None:
    doc = _round_trip(
        "component-definition",
        oscal_catalog.component_definition_document(vendor_run.result, now),
    )
    reqs = doc["components"][0]["control-implementations"][0]["implemented-requirements"]
    share = {
        r["control-id"]: next(p["value"] for p in r["props"] if p["name"] == "responsibility")
        for r in reqs
    }
    roles = {v.id: v.role.value for v in vendor_run.result.controls}
    assert share and all(
        share[c] == {"vendor": "provided", "integrator": "customer", "shared": "shared"}[roles[c]]
        for c in share
    )
    assert {"provided", "customer"} <= set(share.values())


def _fraud_with_evidence(example: Example, tmp_path: Path, now: datetime) -> AssessmentRun:
    system_path, assessment = example("fraud-classifier")
    evidence = scan_evidence(load_system(system_path), system_path, tmp_path)
    assert evidence is not None
    return run_assessment(system_path, assessment, [evidence])  # evidence is dated now


def test_ssp_assessment_results_and_poam_round_trip(
    example: Example, tmp_path: Path, now: datetime
) -> None:
    run = _fraud_with_evidence(example, tmp_path, now)
    ssp = _round_trip(
        "system-security-plan", oscal_system.ssp_document(run.system, run.result, now)
    )
    reqs = {r["control-id"]: r for r in ssp["control-implementation"]["implemented-requirements"]}
    ai_program = reqs["ai-program"]
    props = {p["name"]: p["value"] for p in ai_program["props"]}
    assert props["aisec-status"] == "verified" and props["role"]
    assert ai_program["by-components"][0]["implementation-status"]["state"] == "implemented"
    assert ai_program["by-components"][0]["responsible-roles"][0]["role-id"] == "control-owner"

    results = _round_trip(
        "assessment-results", oscal_system.assessment_results_document(run.result, now)
    )["results"][0]
    observed = {o["title"].split()[2].rstrip(":") for o in results["observations"]}
    assert "model-artifact-scanning" in observed  # from the scan evidence, not the claim
    finding = next(f for f in results["findings"] if f["title"].startswith("model-artifact-"))
    assert finding["related-observations"]
    risk = results["risks"][0]
    facets = {f["name"]: f["value"] for f in risk["characterizations"][0]["facets"]}
    assert {"likelihood", "impact", "residual-risk"} <= set(facets)
    assert len(results["risks"]) == len(run.result.risks)

    poam = _round_trip("plan-of-action-and-milestones", oscal_poam.poam_document(run.result, now))
    assert len(poam["poam-items"]) == len(run.result.roadmap)
    owned = next(i for i in run.result.roadmap if i.owner)
    risk_ids = {r["uuid"]: r for r in poam["risks"]}
    item = next(p for p in poam["poam-items"] if p["title"] == f"Implement {owned.control_name}")
    task = risk_ids[item["related-risks"][0]["risk-uuid"]]["remediations"][0]["tasks"][0]
    parties = {p["uuid"]: p["name"] for p in poam["metadata"]["parties"]}
    assert parties[task["responsible-roles"][0]["party-uuids"][0]] == owned.owner


def test_poam_carries_due_dates(example: Example, tmp_path: Path, now: datetime) -> None:
    system_path, _ = example("fraud-classifier")
    assessment = tmp_path / "a.yaml"
    assessment.write_text(
        "system: fraud-classifier\ncontrols:\n"
        "  train-adversarial: {status: planned, owner: Fraud Analytics, due: 2027-03-31}\n"
    )
    run = run_assessment(system_path, assessment, now=now)
    poam = json.loads(oscal_poam.poam_document(run.result, now))["plan-of-action-and-milestones"]
    risk = next(r for r in poam["risks"] if r["title"].startswith("Adversarial"))
    assert risk["deadline"].startswith("2027-03-31")
    assert risk["remediations"][0]["tasks"][0]["timing"]["on-date"]["date"].startswith("2027-03-31")


@pytest.mark.parametrize(
    ("kind", "root"),
    [
        ("catalog", "catalog"),
        ("component-definition", "component-definition"),
        ("ssp", "system-security-plan"),
        ("assessment-results", "assessment-results"),
        ("poam", "plan-of-action-and-milestones"),
    ],
)
def test_cli_writes_each_kind(example: Example, tmp_path: Path, kind: str, root: str) -> None:
    system, assessment = example("rag-assistant")
    out = tmp_path / f"{kind}.json"
    args = ["export", "oscal", kind] + (
        [] if kind == "catalog" else [str(system), "-a", str(assessment)]
    )
    assert main([*args, "-o", str(out)]) == 0
    assert root in json.loads(out.read_text())


def test_cli_needs_a_system_for_system_documents(tmp_path: Path) -> None:
    assert main(["export", "oscal", "ssp", "-o", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()


def test_assessment_results_record_the_risk_owners_decision(
    rag_run: AssessmentRun, now: datetime
) -> None:
    decided = [r for r in rag_run.result.risks if r.decision is not None]
    assert decided, "the rag-assistant example records treatment decisions"
    results = json.loads(oscal_system.assessment_results_document(rag_run.result, now))
    risks = {r["title"]: r for r in results["assessment-results"]["results"][0]["risks"]}
    risk = risks[f"{decided[0].threat_name} on {decided[0].component}"]
    entry = risk["risk-log"]["entries"][0]
    assert decided[0].decision is not None
    assert entry["title"] == f"Decision: {decided[0].decision.treatment.value}"
    assert decided[0].decision.decided_by in entry["description"]
    if decided[0].accepted:
        assert risk["status"] == "deviation-approved"
