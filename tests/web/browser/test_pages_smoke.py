"""Every page of the demo workspace opens for an admin, in a real browser, with the app's
security headers and without script errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/w/demo/",
    "/w/demo/decisions?scope=all",
    "/w/demo/exports",
    "/w/demo/admin",
    "/w/demo/audit",
    "/w/demo/systems/new",
    "/w/demo/systems/new/yaml",
    "/w/demo/systems/email-agent",
    "/w/demo/systems/email-agent/assessment",
    "/w/demo/systems/email-agent/decisions",
    "/w/demo/systems/fraud-classifier/evidence",
    "/w/demo/systems/fraud-classifier/history",
    "/w/demo/systems/fraud-classifier/diff?a=1&b=2",
    "/w/demo/systems/email-agent/exports",
    "/w/demo/systems/email-agent/edit",
    "/w/demo/systems/email-agent/yaml",
    "/w/demo/systems/email-agent/sharing",
    "/w/demo/systems/email-agent/ci",
]


def test_every_page_renders_with_headers(as_role) -> None:
    alice = as_role("alice")
    for path in PAGES:
        page = alice.context.new_page()
        response = page.goto(alice.live.url + path)
        assert response is not None and response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert page.locator("h1").count() >= 1, path
        page.close()
    assert alice.watch.errors == [] and alice.watch.dialogs == []
