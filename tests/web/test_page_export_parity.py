"""A system page shows the same framework coverage as the stored JSON and the exports.

Failing evidence can overturn a control the assessment claims; coverage must then follow the
evidence on the page too, not the claim (the page once recomputed it from the claims alone).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from aisec.analysis.model import Assurance
from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.store import services
from aisec.store.access import CLI_ACTOR
from aisec.store.assessing import stored_payload
from aisec.store.db import make_engine, make_sessionmaker, upgrade
from aisec.store.models import Workspace
from aisec.web.pages.loading import report_input

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from web_seed import seed  # noqa: E402


def _overturning_evidence() -> bytes:
    """The fraud assessment claims model-access-control implemented; this check says it fails."""
    report = EvidenceReport(
        tool="aisec-probe",
        tool_version="1",
        generated_at=datetime(2026, 11, 30, tzinfo=UTC),
        subject="models/fraud.skops",
        findings=[
            Finding(
                tool="aisec-probe",
                rule_id="access.anonymous",
                verdict=Verdict.FAIL,
                severity=Severity.HIGH,
                location="models/fraud.skops",
                message="the scoring API answered without credentials",
                threat_ids=["model-extraction"],
                control_ids=["model-access-control"],
            )
        ],
    )
    return report.model_dump_json().encode("utf-8")


def test_page_coverage_follows_the_evidence_like_the_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    seed(factory, only=("fraud-classifier", "vendor-finetune-api"))
    with factory() as db:
        ws = db.scalar(select(Workspace).where(Workspace.slug == "demo"))
        assert ws is not None
        system = services.get_system(db, ws, "fraud-classifier")
        services.upload_evidence(db, CLI_ACTOR, ws, system, "probe.json", _overturning_evidence())
        db.commit()
    with factory() as db:
        ws = db.scalar(select(Workspace).where(Workspace.slug == "demo"))
        assert ws is not None
        system = services.get_system(db, ws, "fraud-classifier")
        rev = services.assessment_revision(db, system)
        page = report_input(db, system, rev)
        views = {c.id: c for c in page.result.controls}
        assert views["model-access-control"].assurance is Assurance.OVERTURNED
        extras = stored_payload(rev.result)["extras"]
        stored = {c["framework"]: c for c in extras["crosswalks"]}
        assert page.crosswalks
        for coverage in page.crosswalks:
            assert coverage.model_dump(mode="json") == stored[coverage.framework]
        assert page.obligations is not None
        assert page.obligations.model_dump(mode="json") == extras["ai_act_obligations"]
        assert page.extras == extras  # the JSON sections rebuilt for the page are those stored
