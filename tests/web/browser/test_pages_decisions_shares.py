"""A refused decision is explained on its own form with what was typed kept, and an
administrator ends a vendor share (confirmed, audited), after which the vendor gets a 404."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FRAUD = "/w/demo/systems/fraud-classifier/decisions"
EVASION = "section.risk-item[data-risk='fraud-classifier:evasion@fraud-model']"


def _submit(page, item) -> int:
    with page.expect_navigation() as nav:
        item.locator("button[type=submit]").click()
    response = nav.value
    assert response is not None
    return int(response.status)


def test_refused_decisions_stay_on_the_form_with_the_values_entered(as_role) -> None:
    alice = as_role("alice")
    page = alice.open(FRAUD)
    item = page.locator(EVASION)
    item.locator("summary").click()
    item.locator("input[value=accept]").check()
    item.locator("input[name=review_by]").fill("2027-03-31")
    item.locator("input[name=transferred_to]").fill("nobody yet")
    assert _submit(page, page.locator(EVASION)) == 422  # an acceptance without justification
    item = page.locator(EVASION)
    assert item.locator("details").get_attribute("open") is not None
    error = item.locator(".error-box")
    assert "not recorded" in error.inner_text() and "justification" in error.inner_text()
    assert item.locator("input[name=review_by]").input_value() == "2027-03-31"
    assert item.locator("input[name=transferred_to]").input_value() == "nobody yet"
    assert item.locator("input[value=accept]").is_checked()
    assert page.locator(".error-box").count() == 1  # only on the refused form

    rita = as_role("rita")  # a risk owner deciding a risk assigned to someone else
    page = rita.open(FRAUD)
    item = page.locator(EVASION)
    item.locator("summary").click()
    item.locator("input[value=mitigate]").check()
    item.locator("textarea[name=justification]").fill("Adversarial training next quarter.")
    assert _submit(page, item) == 403
    item = page.locator(EVASION)
    assert "assign the risk" in item.locator(".error-box").inner_text()
    assert item.locator("input[value=mitigate]").is_checked()
    assert (
        item.locator("textarea[name=justification]").input_value()
        == "Adversarial training next quarter."
    )
    assert rita.watch.dialogs == []


def test_admin_ends_a_vendor_share_and_the_audit_log_names_her(as_role) -> None:
    alice, victor = as_role("alice"), as_role("victor")
    system = "/w/demo/systems/fraud-classifier"
    share = alice.open(system + "/sharing")
    share.select_option("#s-user", "victor")
    share.click("form.filters button[type=submit]")
    share.wait_for_url("**/sharing?done=*")
    seen = victor.context.new_page()
    response = seen.goto(victor.live.url + system)
    assert response is not None and response.status == 200
    share.locator("li[data-user=victor] a").click()  # destructive: a confirmation page first
    assert share.locator("h1").inner_text() == "Please confirm"
    assert "victor" in share.locator("form.card p").inner_text()
    share.click("button.danger")
    share.wait_for_url("**/sharing?done=*")
    assert share.locator("li[data-user=victor]").count() == 0
    for path in (system, "/api/v1/workspaces/demo/systems/fraud-classifier"):
        gone = seen.goto(victor.live.url + path)
        assert gone is not None and gone.status == 404, path
    still = seen.goto(victor.live.url + "/w/demo/systems/vendor-finetune-api")
    assert still is not None and still.status == 200  # only that one share ended
    log = as_role("audrey").open("/w/demo/audit")
    newest = log.locator("table.audit tbody tr").first.inner_text()
    assert "system.unshare" in newest and "alice" in newest and "victor" in newest
    assert "Verified" in log.locator("#audit-verify").inner_text()
