"""The statement of applicability in the browser: edit a row, bulk-edit several, see residual
risk and roadmap follow, and never lose an edit to a concurrent save."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
SOA = "/w/demo/systems/recommender/assessment"


def _residual(page) -> int:
    found = re.search(r"residual risk total (\d+)", page.locator("p.lede").inner_text())
    assert found
    return int(found.group(1))


def test_edit_and_bulk_edit_update_residual_risk(as_role) -> None:
    sam = as_role("sam")
    page = sam.open(SOA)
    before = _residual(page)
    rows = page.locator("tr[data-control]")
    # pick three editable controls that are not in place yet
    ids = [
        rows.nth(i).get_attribute("data-control")
        for i in range(rows.count())
        if rows.nth(i).locator("select[name$='.status']").count()
        and rows.nth(i).locator("select[name$='.status']").input_value() == "not-implemented"
    ][:3]
    assert len(ids) == 3
    first, *bulk = ids
    roadmap = sam.open("/w/demo/systems/recommender").locator("#roadmap-section")
    assert f"{first}" in roadmap.inner_text()  # a gap on the roadmap before the edit
    page.select_option(f"select[name='c.{first}.status']", "implemented")
    page.fill(f"input[name='c.{first}.owner']", "Platform team")
    page.fill(f"input[name='c.{first}.due']", "2027-03-31")
    for control in bulk:
        page.check(f"input[name=sel][value='{control}']")
    page.select_option("#b-status", "implemented")
    page.fill("#b-owner", "Data science")
    page.click("#soa-form button[type=submit]")
    page.wait_for_url("**/assessment?done=*")
    assert "3 control(s) changed" in page.locator(".flash").inner_text()
    assert _residual(page) < before
    assert page.input_value(f"input[name='c.{first}.due']") == "2027-03-31"
    for control in bulk:
        assert page.input_value(f"select[name='c.{control}.status']") == "implemented"
        assert page.input_value(f"input[name='c.{control}.owner']") == "Data science"
    roadmap = sam.open("/w/demo/systems/recommender").locator("#roadmap-section")
    assert f"{first}" not in roadmap.inner_text()  # implemented: off the roadmap after save
    text = page.request.get(sam.live.url + "/w/demo/systems/recommender/assessment.yaml").text()
    assert f"{first}:" in text and "2027-03-31" in text


def test_concurrent_edits_are_shown_not_lost(as_role) -> None:
    sam, alice = as_role("sam"), as_role("alice")
    mine = sam.open(SOA)
    theirs = alice.open(SOA)
    rows = theirs.locator("tr[data-control]")
    control = rows.first.get_attribute("data-control")
    other = rows.nth(1).get_attribute("data-control")
    theirs.fill(f"input[name='c.{other}.owner']", "Alice's team")
    theirs.click("#soa-form button[type=submit]")
    theirs.wait_for_url("**/assessment?done=*")
    mine.fill(f"input[name='c.{control}.owner']", "Sam's team")
    mine.click("#soa-form button[type=submit]")
    conflict = mine.locator("#conflict")
    assert conflict.is_visible()
    assert "someone else saved" in conflict.inner_text()
    assert mine.input_value(f"input[name='c.{control}.owner']") == "Sam's team"  # kept
    mine.click("#soa-form button[type=submit]")  # save again on top of their revision
    mine.wait_for_url("**/assessment?done=*")
    assert mine.input_value(f"input[name='c.{control}.owner']") == "Sam's team"
    assert mine.input_value(f"input[name='c.{other}.owner']") == "Alice's team"
