"""Journeys by role: what each person sees and may do, enforced by the same checks as the API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WRITE_FORMS = "form[method=post]:not([action='/logout'])"


def test_vendor_sees_only_shared_system_and_only_vendor_controls(as_role) -> None:
    victor = as_role("victor")
    page = victor.open("/w/demo/")
    shown = page.locator("tr.system-row").evaluate_all("rows => rows.map(r => r.dataset.system)")
    assert shown == ["vendor-finetune-api"]
    hidden = victor.context.new_page()
    response = hidden.goto(victor.live.url + "/w/demo/systems/email-agent")
    assert response is not None and response.status == 404  # not 403: existence not confirmed
    api = hidden.request.get(victor.live.url + "/api/v1/workspaces/demo/systems/email-agent")
    assert api.status == 404
    soa = victor.open("/w/demo/systems/vendor-finetune-api/assessment")
    editable = soa.locator("tr[data-control]:has(select[name$='.status'])")
    assert editable.count() > 0
    roles = editable.locator("td:nth-child(3) select").evaluate_all("els => els.map(e => e.value)")
    assert set(roles) <= {"vendor", "shared"}
    integrator = soa.locator("tr[data-control]:not(:has(select))").first
    control = integrator.get_attribute("data-control")
    # a forged POST for an integrator control is refused by the same rule as the API
    csrf = soa.locator("input[name=csrf_token]").first.input_value()
    forged = soa.request.post(
        victor.live.url + "/w/demo/systems/vendor-finetune-api/assessment",
        form={
            "csrf_token": csrf,
            f"c.{control}.present": "1",
            f"c.{control}.status": "verified",
            f"c.{control}.applicable": "1",
        },
    )
    assert forged.status == 422 and "cannot edit" in forged.text()
    assert "New system" not in page.locator("nav").inner_text()


def test_auditor_reads_everything_but_has_no_write_control(as_role) -> None:
    audrey = as_role("audrey")
    for path in (
        "/w/demo/",
        "/w/demo/decisions?scope=all",
        "/w/demo/systems/fraud-classifier",
        "/w/demo/systems/fraud-classifier/assessment",
        "/w/demo/systems/fraud-classifier/evidence",
        "/w/demo/systems/fraud-classifier/history",
        "/w/demo/exports",
    ):
        page = audrey.open(path)
        assert page.locator("h1").count() >= 1, path
        assert page.locator(WRITE_FORMS).count() == 0, path
        controls = ":is(select, textarea, input:not([type=hidden]))"
        outside_get_forms = f"{controls}:not(form[method=get] *)"
        assert page.locator(outside_get_forms).count() == 0, path
        page.close()
    admin = audrey.open("/w/demo/admin")
    assert admin.locator("form[action='/w/demo/admin/members']").count() == 0
    audit = audrey.open("/w/demo/audit")
    assert "Verified" in audit.locator("#audit-verify").inner_text()
    refused = audit.request.put(
        audrey.live.url + "/api/v1/workspaces/demo/systems/fraud-classifier/assessment",
        data={"yaml": "system: fraud-classifier\n"},
        headers={"X-CSRF-Token": admin.locator("input[name=csrf_token]").first.input_value()},
    )
    assert refused.status == 403
    direct = audit.request.post(
        audrey.live.url + "/w/demo/systems/fraud-classifier/assessment",
        form={"csrf_token": admin.locator("input[name=csrf_token]").first.input_value()},
    )
    assert direct.status == 403


def test_risk_owner_accepts_a_risk_and_the_audit_log_names_her(as_role) -> None:
    rita = as_role("rita")
    queue = rita.open("/w/demo/decisions")  # "assigned to me": Sales Operations owns email-agent
    items = queue.locator("section.risk-item[data-risk^='email-agent:']")
    assert items.count() > 0
    assert queue.locator("section.risk-item:not([data-risk^='email-agent:'])").count() == 0
    item = items.first
    risk = item.get_attribute("data-risk").split(":", 1)[1]
    item.locator("summary").click()
    item.locator("input[value=accept]").check()
    item.locator("textarea[name=justification]").fill(
        "Residual risk accepted until the filter ships."
    )
    item.locator("input[name=review_by]").fill("2027-06-30")
    item.locator("button[type=submit]").click()
    queue.wait_for_url("**/decisions?done=*")
    assert queue.locator(f"section.risk-item[data-risk='email-agent:{risk}']").count() == 0
    text = queue.request.get(rita.live.url + "/w/demo/systems/email-agent/assessment.yaml").text()
    assert (
        "decided_by: Sales Operations" in text
        and "review_by: '2027-06-30'" in text
        or ("review_by: 2027-06-30" in text)
    )
    log = as_role("audrey").open("/w/demo/audit")
    newest = log.locator("table.audit tbody tr").first
    assert "rita" in newest.inner_text() and "assessment.save" in newest.inner_text()


def test_demonstrated_threat_needs_its_evidence_named(as_role) -> None:
    # the risk is assigned to "Head of Fraud Operations" (not Rita): the workspace admin decides
    alice = as_role("alice")
    page = alice.open("/w/demo/systems/fraud-classifier/decisions")
    item = page.locator(
        "section.risk-item[data-risk='fraud-classifier:membership-inference@fraud-model']"
    )
    assert "demonstrated by" in item.inner_text()
    item.locator("summary").click()
    item.locator("textarea[name=justification]").fill("Accepted for the pilot.")
    item.locator("input[name=review_by]").fill("2027-01-31")
    with page.expect_navigation() as nav:
        item.locator("button[type=submit]").click()
    assert nav.value is not None and nav.value.status == 422
    item = page.locator(
        "section.risk-item[data-risk='fraud-classifier:membership-inference@fraud-model']"
    )
    assert "must name that evidence" in item.locator(".error-box").inner_text()
    assert item.locator("textarea[name=justification]").input_value() == "Accepted for the pilot."
    assert item.locator("input[name=review_by]").input_value() == "2027-01-31"
    item.locator("textarea[name=justification]").fill("Accepted for the pilot; attack noted.")
    item.locator("input[name=evidence]").first.check()
    item.locator("button[type=submit]").click()
    page.wait_for_url("**/decisions?done=*")
    assert (
        page.locator(
            "section.risk-item[data-risk='fraud-classifier:membership-inference@fraud-model']"
        ).count()
        == 0
    )


def test_outsider_cannot_tell_the_workspace_exists(as_role) -> None:
    oscar = as_role("oscar")
    page = oscar.context.new_page()
    for path in ("/w/demo/", "/w/demo/systems/email-agent", "/w/nosuch/"):
        response = page.goto(oscar.live.url + path)
        assert response is not None and response.status == 404, path
