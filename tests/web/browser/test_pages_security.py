"""Security of the pages in a real browser: hostile text in every user-editable field never
executes wherever it is shown (pages, stored reports, exports); every form needs its CSRF token;
the Content-Security-Policy forbids inline script; the session cookie is HttpOnly and SameSite."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import httpx
import pytest

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict

pytestmark = pytest.mark.browser

H = (
    '"><img src=x onerror="window.__pwned=2;alert(\'xss2\')">'
    "<script>window.__pwned=1;alert('xss1')</script>'><svg onload=alert('xss4')>"
)
JS_URL = "javascript:alert('xss3')"
SID = "hostile-bot"


def hostile_yaml() -> str:
    q = json.dumps(H)  # a JSON string is a valid YAML double-quoted scalar
    return f"""id: {SID}
name: {q}
description: {q}
owner: {{name: {q}, contact: {json.dumps(JS_URL)}}}
organisation_role: integrator
archetypes: [autonomous-agent]
business_impact: {{confidentiality: 5, integrity: 5, availability: 4}}
models:
  - {{id: m1, name: {q}, kind: genai, task: {q}, source: provider-api, supplier: {q},
     trained_by: supplier, hosted_by: model-provider}}
interfaces:
  - {{id: i1, name: {q}, exposure: public, authenticated: false, users: [{q}], models: [m1]}}
tools:
  - {{id: t1, name: {q}, description: {q}, effects: [send], permissions: [{q}], used_by: [m1]}}
outputs:
  - {{id: o1, name: {q}, rendering: html, models: [m1], downstream: {q}}}
"""


def hostile_evidence() -> bytes:
    finding = Finding(
        tool=H,
        rule_id=H,
        verdict=Verdict.FAIL,
        severity=Severity.HIGH,
        location=H,
        message=H,
        threat_ids=["direct-prompt-injection"],
        control_ids=["prompt-injection-io-handling"],
    )
    report = EvidenceReport(
        tool=H,
        tool_version=H,
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        subject=H,
        findings=[finding],
    )
    return report.model_dump_json().encode()


def assert_inert(page, where: str) -> None:
    state = page.evaluate(
        """() => ({
            pwned: typeof window.__pwned,
            handlers: document.querySelectorAll('[onerror],[onload]').length,
            inline: document.querySelectorAll('script:not([src])').length,
            jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
        })"""
    )
    assert state == {"pwned": "undefined", "handlers": 0, "inline": 0, "jsLinks": 0}, where


@pytest.fixture(scope="module")
def hostile(as_role):
    """Hostile text entered through every kind of field, by the people who may enter it."""
    sam = as_role("sam")
    page = sam.open("/w/demo/systems/new/yaml")
    page.fill("#f-yaml", hostile_yaml())
    page.fill("#f-message", H)
    page.click("#yaml-form button[type=submit]")
    page.wait_for_url(f"**/systems/{SID}?done=*")
    soa = sam.open(f"/w/demo/systems/{SID}/assessment")
    row = soa.locator("tr[data-control]:has(select)").first
    control = row.get_attribute("data-control")
    soa.fill(f"input[name='c.{control}.owner']", H)
    soa.fill(f"input[name='c.{control}.evidence']", f"{JS_URL}; {H}")
    other = soa.locator("tr[data-control]:has(select)").nth(1).get_attribute("data-control")
    soa.uncheck(f"input[name='c.{other}.applicable']")
    soa.fill(f"input[name='c.{other}.justification']", H)
    soa.fill("#f-message", H)
    soa.click("#soa-form button[type=submit]")
    soa.wait_for_url("**/assessment?done=*")
    evidence = sam.open(f"/w/demo/systems/{SID}/evidence")
    evidence.set_input_files(
        "#f-evidence",
        files=[{"name": "x.json", "mimeType": "application/json", "buffer": hostile_evidence()}],
    )
    evidence.fill("#f-emsg", H)
    evidence.click("#evidence-drop button[type=submit]")
    evidence.wait_for_url("**/evidence?done=*")
    rita = as_role("alice")  # admins decide too; the decision text is hostile
    queue = rita.open(f"/w/demo/systems/{SID}/decisions")
    item = queue.locator("section.risk-item").first
    item.locator("summary").click()
    item.locator("input[value=transfer]").check()
    item.locator("textarea[name=justification]").fill(H)
    item.locator("input[name=risk_owner]").fill(H)
    item.locator("input[name=transferred_to]").fill(JS_URL)
    item.locator("button[type=submit]").click()
    queue.wait_for_url("**/decisions?done=*")
    admin = rita.open("/w/demo/admin")
    admin.fill("#t-name", H[:100])
    admin.click("form[aria-label='Create a token'] button[type=submit]")
    return SID


PAGES = [
    "/w/demo/",
    "/w/demo/decisions?scope=all",
    "/w/demo/exports",
    "/w/demo/admin",
    "/w/demo/audit",
    f"/w/demo/systems/{SID}",
    f"/w/demo/systems/{SID}/assessment",
    f"/w/demo/systems/{SID}/decisions",
    f"/w/demo/systems/{SID}/evidence",
    f"/w/demo/systems/{SID}/history",
    f"/w/demo/systems/{SID}/diff?a=1&b=3",
    f"/w/demo/systems/{SID}/exports",
    f"/w/demo/systems/{SID}/edit",
    f"/w/demo/systems/{SID}/yaml",
    f"/w/demo/systems/{SID}/revisions/3/report.html",
]


def test_hostile_text_never_executes(hostile, as_role, tmp_path) -> None:
    alice = as_role("alice")
    for path in PAGES:
        page = alice.open(path)
        assert_inert(page, path)
        page.close()
    shown = alice.open(f"/w/demo/systems/{SID}")
    assert "<script>window.__pwned=1" in shown.locator("h1").inner_text()  # shown as text
    # the exports: Markdown is neutralised text, the bundle's HTML report is inert when opened
    md = shown.request.get(alice.live.url + f"/w/demo/systems/{SID}/revisions/3/report.md").text()
    assert "<script>" not in md and "<img" not in md
    bundle = shown.request.get(alice.live.url + "/w/demo/exports/bundle.zip").body()
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        name = next(
            n for n in archive.namelist() if n.startswith(f"demo/{SID}/") and n.endswith(".html")
        )
        report = tmp_path / "report.html"
        report.write_bytes(archive.read(name))
    offline = alice.context.new_page()
    offline.on("dialog", lambda d: alice.watch.dialogs.append(d.message))
    offline.goto(report.as_uri())
    assert_inert(offline, "bundle report")
    assert alice.watch.dialogs == [] and as_role("sam").watch.dialogs == []


def test_every_form_requires_its_csrf_token(hostile, as_role) -> None:
    alice = as_role("alice")
    actions: set[str] = set()
    for path in PAGES[:13] + [
        "/w/demo/systems/new",
        f"/w/demo/systems/{SID}/ci",
        f"/w/demo/systems/{SID}/sharing",
        "/w/demo/admin/members/victor/remove",
        "/w/demo/systems/vendor-finetune-api/sharing/victor/end",
    ]:
        page = alice.open(path)
        for form in page.locator("form[method=post]").all():
            assert form.locator("input[name=csrf_token]").count() == 1, path
            actions.add(form.get_attribute("action") or path.split("?")[0])
        page.close()
    actions.add("/w/demo/systems/preview")
    assert len(actions) >= 12
    cookies = {c["name"]: c["value"] for c in alice.context.cookies()}
    with httpx.Client(base_url=alice.live.url, cookies=cookies) as client:
        for action in sorted(actions):
            without = client.post(action, data={"message": "x"}, follow_redirects=False)
            assert without.status_code == 403, action
            wrong = client.post(action, data={"csrf_token": "forged"}, follow_redirects=False)
            assert wrong.status_code == 403, action
        login = client.post("/login", data={"username": "alice", "password": "x"})
        assert login.status_code == 403  # login CSRF: no matching double-submit cookie


def test_headers_and_cookie_flags(live, as_role) -> None:
    alice = as_role("alice")
    session = next(c for c in alice.context.cookies() if c["name"] == "aisec_session")
    assert session["httpOnly"] is True and session["sameSite"] == "Lax"
    page = alice.context.new_page()
    response = page.goto(live.url + "/w/demo/")
    assert response is not None
    headers = response.headers
    script_src = [d for d in headers["content-security-policy"].split(";") if "script-src" in d]
    assert script_src == [" script-src 'self'"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    report = page.goto(live.url + "/w/demo/systems/email-agent/revisions/1/report.html")
    assert report is not None and "sandbox" in report.headers["content-security-policy"]
