"""One effective status everywhere, role-aware scope, AI Act items not triggered, demo pinned."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisec.analysis.model import Assurance, DecisionState
from aisec.service import bundled_examples, run_assessment

EXAMPLES = {sid: (s, a) for sid, s, a in bundled_examples()}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def agent_probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real probe evidence: the demo's LLM probes against the guarded reference target."""
    from aisec.demo import llm_evidence
    from aisec.system import load_system

    system, _ = EXAMPLES["email-agent"]
    path = llm_evidence(load_system(system), system, tmp_path_factory.mktemp("probe"))
    assert path is not None
    return path


@pytest.fixture(scope="module")
def agent_run(agent_probe: Path):  # type: ignore[no-untyped-def]
    system, assessment = EXAMPLES["email-agent"]
    return run_assessment(system, assessment, [agent_probe])


def test_demo_agent_demonstrated_threats_need_a_decision(agent_run) -> None:  # type: ignore[no-untyped-def]
    result = agent_run.result
    for threat in ("agent-escape", "sensitive-output-disclosure", "resource-exhaustion"):
        risk = next(r for r in result.risks if r.threat_id == threat)
        assert risk.demonstrated_by, threat
        assert risk.decision_state is DecisionState.DECISION_REQUIRED, threat
        assert not risk.accepted and not risk.within_appetite, threat
    entry = result.evidence[0]
    assert entry.counted and entry.reference_target
    assert entry.subject == "aisec-reference:guarded"


def test_crosswalk_coverage_follows_the_evidence(agent_run) -> None:  # type: ignore[no-untyped-def]
    result = agent_run.result
    limit = next(c for c in result.controls if c.id == "limit-resources")
    assert limit.status.value == "implemented"
    assert limit.assurance is Assurance.OVERTURNED
    llm = next(c for c in agent_run.report.extras["crosswalks"] if c["framework"] == "owasp-llm")
    llm10 = next(i for i in llm["items"] if i["id"].endswith("LLM10"))
    behind = {c["control"]: c["status"] for c in llm10["controls"]}
    assert behind["limit-resources"] == "not-implemented"
    assert llm10["status"] != "supported"
    roadmap = {i.control_id: i for i in result.roadmap}
    assert roadmap["limit-resources"].overturned_by_evidence


def test_ai_act_items_not_triggered_are_not_applicable_with_reason() -> None:
    system, assessment = EXAMPLES["email-agent"]
    run = run_assessment(system, assessment, now=NOW)
    act = next(c for c in run.report.extras["crosswalks"] if c["framework"] == "eu-ai-act")
    items = {i["id"].split(":")[-1]: i for i in act["items"]}
    for article in ("Art.9", "Art.11", "Art.15", "Art.16", "Art.20", "Art.53", "Art.55", "AnnexIV"):
        assert items[article]["status"] == "not-applicable", article
        assert items[article]["note"].startswith("not applicable to this system:"), article
    assert items["Art.4"]["status"] != "not-applicable"  # AI literacy applies to a deployer


def test_vendor_controls_of_a_supplier_model_are_supplier_provided(tmp_path: Path) -> None:
    system, _ = EXAMPLES["email-agent"]  # provider-API model: we neither train nor host it
    empty = tmp_path / "a.yaml"
    empty.write_text("system: email-agent\n", encoding="utf-8")
    result = run_assessment(system, empty, now=NOW).result
    supplier = [c for c in result.controls if c.supplier_provided and c.relevant]
    assert {"small-model", "obfuscate-training-data"} <= {c.id for c in supplier}
    assert all(c.assurance is Assurance.SUPPLIER_PROVIDED for c in supplier)
    own_ids = {i.control_id for i in result.roadmap if not i.supplier_provided}
    assert not own_ids & {c.id for c in supplier}  # our roadmap holds only our own work
    assert result.readiness.supplier.assessed and result.readiness.supplier.controls == len(
        [c for c in supplier if c.applicable]
    )

    attested = tmp_path / "b.yaml"
    attested.write_text(
        "system: email-agent\ncontrols:\n  small-model:\n    supplier: Example Model Provider\n"
        "    supplier_evidence: ['Provider model card 2026-09']\n",
        encoding="utf-8",
    )
    result2 = run_assessment(system, attested, now=NOW).result
    assert result2.readiness.supplier.score > result.readiness.supplier.score
    assert result2.readiness.overall.score == result.readiness.overall.score
    view = next(c for c in result2.controls if c.id == "small-model")
    assert view.effective_status.value == "implemented" and view.supplier_evidence

    # the same model hosted by us: vendor controls are our own work again
    text = system.read_text(encoding="utf-8").replace(
        "hosted_by: model-provider", "hosted_by: us", 1
    )
    own = tmp_path / "email-agent.yaml"
    own.write_text(text, encoding="utf-8")
    result3 = run_assessment(own, empty, now=NOW).result
    assert not any(c.supplier_provided for c in result3.controls)


def test_overdue_actions_are_flagged_with_owner(tmp_path: Path) -> None:
    system, _ = EXAMPLES["email-agent"]
    path = tmp_path / "a.yaml"
    path.write_text(
        "system: email-agent\ncontrols:\n  input-segregation:\n    status: planned\n"
        "    owner: Sales Ops engineering\n    due: 2026-10-31\n",
        encoding="utf-8",
    )
    result = run_assessment(system, path, now=NOW).result
    item = next(i for i in result.roadmap if i.control_id == "input-segregation")
    assert item.overdue and item.owner == "Sales Ops engineering"
    assert item.due is not None and item.due.isoformat() == "2026-10-31"
    assert result.totals.overdue_actions >= 1
