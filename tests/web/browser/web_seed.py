"""The demo workspace the browser tests use: every role, the bundled examples, evidence.

Built with the server's own services (what `aisec serve --demo` and the API call), never with
SQL, so the tests see data exactly as users would have made it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.service import bundled_examples
from aisec.store import accounts, services
from aisec.store.access import CLI_ACTOR, Actor, Role

PASSWORD = "correct-horse-battery-9"
USERS = {
    # username: (display name, role in 'demo', granted role)
    "alice": ("Alice Admin", Role.ADMIN, None),
    "sam": ("Sam Assessor", Role.ASSESSOR, None),
    "rita": ("Sales Operations", Role.RISK_OWNER, None),  # risk owner named in email-agent
    "victor": ("Victor Vendor", Role.CONTRIBUTOR, "vendor"),
    "audrey": ("Audrey Auditor", Role.AUDITOR, None),
}
SHARED_WITH_VENDOR = "vendor-finetune-api"


@dataclass(frozen=True)
class Seeded:
    workspace: str
    systems: list[str]
    other_workspace: str


def evidence_json() -> bytes:
    """ML-test evidence for the fraud model: membership inference works (a demonstrated
    threat), rate limiting held."""

    def finding(verdict: Verdict, control: str, threat: str) -> Finding:
        return Finding(
            tool="aisec-mltest",
            rule_id="ml.membership" if verdict is Verdict.FAIL else "ml.rate",
            verdict=verdict,
            severity=Severity.HIGH,
            location="models/fraud.skops",
            message="membership inference AUC 0.71" if verdict is Verdict.FAIL else "held",
            threat_ids=[threat],
            control_ids=[control],
        )

    report = EvidenceReport(
        tool="aisec-mltest",
        tool_version="1",
        generated_at=datetime(2026, 11, 30, tzinfo=UTC),
        subject="models/fraud.skops",
        findings=[
            finding(Verdict.FAIL, "obfuscate-training-data", "membership-inference"),
            finding(Verdict.PASS, "rate-limit", "resource-exhaustion"),
        ],
    )
    return report.model_dump_json(indent=2).encode("utf-8")


def seed(factory: Any, only: tuple[str, ...] = ()) -> Seeded:
    with factory() as db:
        users = {
            name: accounts.add_user(db, name, PASSWORD, display_name=display)
            for name, (display, _, _) in USERS.items()
        }
        owner = Actor(users["alice"].id, "alice", "Alice Admin", "cli")
        ws = services.create_workspace(db, owner, "demo", "Demo portfolio")
        for name, (_, role, granted) in USERS.items():
            if name != "alice":
                services.set_member(db, owner, ws, name, role, granted)
        systems = []
        for sid, system_path, assessment_path in bundled_examples():
            if only and sid not in only:
                continue
            assessment = assessment_path.read_text("utf-8") if assessment_path else None
            services.create_system(
                db, CLI_ACTOR, ws, system_path.read_text("utf-8"), "imported", assessment
            )
            systems.append(sid)
        fraud = services.get_system(db, ws, "fraud-classifier")
        services.upload_evidence(db, CLI_ACTOR, ws, fraud, "fraud-mltest.json", evidence_json())
        services.share_system(
            db, owner, ws, services.get_system(db, ws, SHARED_WITH_VENDOR), "victor"
        )
        oscar = accounts.add_user(db, "oscar", PASSWORD, display_name="Oscar Other")
        other = services.create_workspace(db, Actor(oscar.id, "oscar"), "other", "Other org")
        secret_system = next(p for s, p, _ in bundled_examples() if s == "recommender")
        services.create_system(
            db, Actor(oscar.id, "oscar"), other, secret_system.read_text("utf-8"), "theirs"
        )
        db.commit()
    return Seeded("demo", systems, "other")


def login_json(username: str) -> str:
    return json.dumps({"username": username, "password": PASSWORD})
