"""Keyboard and screen-reader habits: every form control has a label, focus is visible, the skip
link and a whole form work from the keyboard alone, and a laptop-width window needs no sideways
scrolling of the page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea')).filter(el => {
        if (el.getAttribute('aria-label')) return false;
        if (el.closest('label')) return false;
        return !(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
    }).map(el => el.name || el.id)"""


@pytest.mark.parametrize(
    "path",
    [
        "/w/demo/",
        "/w/demo/systems/new",
        "/w/demo/systems/email-agent/assessment",
        "/w/demo/systems/email-agent/decisions",
        "/w/demo/systems/email-agent/evidence",
        "/w/demo/admin",
    ],
)
def test_every_control_has_a_label(as_role, path: str) -> None:
    page = as_role("alice").open(path)
    assert page.evaluate(UNLABELLED) == []
    page.close()


def test_keyboard_only_skip_link_focus_and_form(as_role) -> None:
    sam = as_role("sam")
    page = sam.open("/w/demo/systems/new/yaml")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")  # focus is visible
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # fill and submit the YAML editor without the mouse: Tab to the textarea, type, submit
    while page.evaluate("document.activeElement.id") != "f-yaml":
        page.keyboard.press("Tab")
    page.keyboard.type("id: [unclosed\n")
    page.keyboard.press("Tab")  # message field
    page.keyboard.press("Tab")  # save button
    page.keyboard.press("Enter")
    page.wait_for_selector("#yaml-errors")
    assert "line" in page.locator("#yaml-errors").inner_text()


def test_laptop_width_has_no_page_level_horizontal_scroll(as_role, live) -> None:
    context = as_role("alice").context
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    for path in ("/w/demo/", "/w/demo/systems/email-agent", "/w/demo/decisions?scope=all"):
        page.goto(live.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    page.close()
