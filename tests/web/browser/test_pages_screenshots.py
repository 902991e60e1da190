"""Full-page screenshots of every page of the demo workspace, for a reviewer (and CI artefacts).

Written into the folder named by $AISEC_SCREENSHOTS; without it the pages are still opened and
checked to render, but nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = [
    ("alice", "login", "/login"),
    ("alice", "portfolio", "/w/demo/"),
    ("alice", "portfolio-filtered", "/w/demo/?band=critical&since=2026-01-01"),
    ("rita", "decisions-mine", "/w/demo/decisions"),
    ("alice", "decisions-all", "/w/demo/decisions?scope=all"),
    ("alice", "system-overview", "/w/demo/systems/email-agent"),
    ("sam", "system-soa", "/w/demo/systems/email-agent/assessment"),
    ("victor", "system-soa-vendor", "/w/demo/systems/vendor-finetune-api/assessment"),
    ("rita", "system-decisions", "/w/demo/systems/fraud-classifier/decisions"),
    ("alice", "system-evidence", "/w/demo/systems/fraud-classifier/evidence"),
    ("alice", "system-ci", "/w/demo/systems/fraud-classifier/ci"),
    ("alice", "system-history", "/w/demo/systems/fraud-classifier/history"),
    ("alice", "system-diff", "/w/demo/systems/fraud-classifier/diff?a=1&b=2"),
    ("alice", "system-exports", "/w/demo/systems/email-agent/exports"),
    ("sam", "system-form-edit", "/w/demo/systems/email-agent/edit"),
    ("sam", "system-yaml", "/w/demo/systems/email-agent/yaml"),
    ("sam", "new-system", "/w/demo/systems/new"),
    ("alice", "sharing", "/w/demo/systems/vendor-finetune-api/sharing"),
    ("alice", "sharing-end-confirm", "/w/demo/systems/vendor-finetune-api/sharing/victor/end"),
    ("alice", "exports", "/w/demo/exports"),
    ("alice", "admin", "/w/demo/admin"),
    ("audrey", "audit", "/w/demo/audit"),
    ("audrey", "portfolio-auditor", "/w/demo/"),
]


def test_screenshots_of_every_page(as_role) -> None:
    folder = os.environ.get("AISEC_SCREENSHOTS")
    out = Path(folder) if folder else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for number, (who, name, path) in enumerate(SHOTS, 1):
        session = as_role(who)
        page = session.open(path) if path != "/login" else session.context.browser.new_page()
        if path == "/login":
            page.goto(session.live.url + path)
        assert page.locator("h1").first.is_visible(), name
        if out is not None:
            page.screenshot(path=str(out / f"{number:02d}-{name}.png"), full_page=True)
        page.close()
    for who in {w for w, _, _ in SHOTS}:
        assert as_role(who).watch.errors == [], who
