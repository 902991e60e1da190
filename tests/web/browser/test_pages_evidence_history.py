"""Evidence by drag and drop, the CI token page's push line, history (timeline, diff, trend),
exports in every format, and administration with confirmed destructive actions."""

from __future__ import annotations

import hashlib
import io
import zipfile

import httpx
import pytest
from web_seed import evidence_json

from aisec.service import ReportFormat

pytestmark = pytest.mark.browser
SYSTEM = "/w/demo/systems/email-agent"
FRAUD = "/w/demo/systems/fraud-classifier"  # declares models/fraud.skops: the evidence binds


def test_drop_evidence_then_see_verdicts_hash_and_history(as_role) -> None:
    sam = as_role("sam")
    page = sam.open(FRAUD + "/evidence")
    raw = evidence_json().decode()
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.items.add(new File([text], "dropped-mltest.json", {type: "application/json"}));
            const zone = document.querySelector(".dropzone");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        raw,
    )
    assert page.locator(".dropzone .dropped").inner_text() == "dropped-mltest.json"
    page.click("#evidence-drop button[type=submit]")
    page.wait_for_url("**/evidence?done=*")
    item = page.locator("section.evidence-item").first
    text = item.inner_text()
    assert "dropped-mltest.json" in text and "aisec-mltest" in text
    assert hashlib.sha256(raw.encode()).hexdigest() in text
    assert "fail 1" in text and "pass 1" in text
    assert "rate-limit" in text and "verified" in text
    history = sam.open(FRAUD + "/history")
    points = history.locator("svg.trend circle.point").count()
    rows = history.locator("table.timeline tr.tl-assessment").count()
    assert points == rows >= 2
    assert "evidence" in history.locator("table.timeline").inner_text()
    diff = sam.open(FRAUD + f"/diff?a={rows - 1}&b={rows}")
    assert "dropped-mltest.json" in diff.locator(".diff-summary").inner_text()
    assert diff.locator("table.side-by-side").count() >= 0


def test_ci_page_token_and_push_line_work(as_role, live) -> None:
    sam = as_role("sam")
    page = sam.open(SYSTEM + "/ci")
    page.click("form.filters button[type=submit]")
    secret = page.locator("#token-secret").inner_text().strip()
    line = page.locator("#push-line").inner_text().strip()
    assert line == f"aisec push demo/email-agent evidence.json --server {live.url}"
    # what `aisec push` does with that line: the evidence-only token can upload, nothing else
    headers = {"Authorization": f"Bearer {secret}"}
    url = live.url + "/api/v1/workspaces/demo/systems/email-agent/evidence"
    files = {"file": ("ci-mltest.json", evidence_json(), "application/json")}
    assert httpx.post(url, headers=headers, files=files).status_code == 201
    read = httpx.get(live.url + "/api/v1/workspaces/demo/systems", headers=headers)
    assert read.status_code == 403


def test_exports_every_format_and_auditor_bundle(as_role) -> None:
    audrey = as_role("audrey")
    page = audrey.open("/w/demo/systems/fraud-classifier/exports")
    links = page.locator("table a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    formats = {href.rsplit(".", 1)[1] for href in links}
    assert formats == {f.value for f in ReportFormat}
    for href in [h for h in links if "/revisions/1/" in h]:
        response = page.request.get(audrey.live.url + href)
        assert response.status == 200 and len(response.body()) > 200, href
    bundle = page.request.get(audrey.live.url + "/w/demo/exports/bundle.zip")
    with zipfile.ZipFile(io.BytesIO(bundle.body())) as archive:
        names = archive.namelist()
        assert "demo/fraud-classifier/fraud-classifier.yaml" in names
        assert "demo/audit-log.jsonl" in names
        assert not any(n.startswith("other/") for n in names)


def test_admin_membership_sharing_and_confirmed_removal(as_role) -> None:
    alice = as_role("alice")
    page = alice.open("/w/demo/admin")
    page.fill("#m-user", "oscar")
    page.select_option("#m-role", "contributor")
    page.select_option("#m-granted", "vendor")
    page.click("form[aria-label='Add or change a member'] button[type=submit]")
    page.wait_for_url("**/admin?done=*")
    assert "contributor" in page.locator("tr[data-user=oscar]").inner_text()
    share = alice.open("/w/demo/systems/recommender/sharing")
    share.select_option("#s-user", "oscar")
    share.click("form.filters button[type=submit]")
    share.wait_for_url("**/sharing?done=*")
    oscar = as_role("oscar")
    portfolio = oscar.open("/w/demo/")
    assert portfolio.locator("tr.system-row").evaluate_all(
        "rows => rows.map(r => r.dataset.system)"
    ) == ["recommender"]
    page = alice.open("/w/demo/admin")
    page.locator("tr[data-user=oscar] a").click()  # destructive: a confirmation page first
    assert page.locator("h1").inner_text() == "Please confirm"
    page.click("button.danger")
    page.wait_for_url("**/admin?done=*")
    assert page.locator("tr[data-user=oscar]").count() == 0
    gone = oscar.context.new_page().goto(oscar.live.url + "/w/demo/")
    assert gone is not None and gone.status == 404
