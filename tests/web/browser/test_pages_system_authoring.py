"""Describing a system in the browser: the guided form with its live threat preview, the YAML
editor's located errors, and download/upload of the very file the CLI reads."""

from __future__ import annotations

import pytest

from aisec.system import load_system_text

pytestmark = pytest.mark.browser


def test_guided_form_previews_threats_and_saves_cli_yaml(as_role) -> None:
    sam = as_role("sam")
    page = sam.open("/w/demo/systems/new")
    page.fill("#f-id", "support-bot")
    page.fill("#f-name", "Customer support bot")
    page.fill("#f-owner-name", "Support team")
    page.check("input[name=archetypes][value=conversational-assistant]")
    page.fill("#f-models-0-id", "chat")
    page.fill("#f-models-0-name", "Hosted chat model")
    page.fill("#f-models-0-task", "text-generation")
    page.select_option("#f-models-0-source", "provider-api")
    page.select_option("#f-models-0-trained_by", "supplier")
    page.select_option("#f-models-0-hosted_by", "model-provider")
    preview = page.locator("#preview-body")
    preview.get_by_text("Supply-chain model poisoning", exact=True).wait_for()
    assert "Direct prompt injection" not in preview.inner_text()
    # answering who sends input makes prompt injection apply, with the reason shown
    page.fill("#f-interfaces-0-id", "web-chat")
    page.fill("#f-interfaces-0-name", "Public web chat")
    page.select_option("#f-interfaces-0-exposure", "public")
    page.fill("#f-interfaces-0-users", "anyone on the internet")
    page.fill("#f-interfaces-0-models", "chat")
    preview.get_by_text("Direct prompt injection", exact=True).wait_for()
    assert "web-chat" in preview.inner_text() or "public" in preview.inner_text()
    page.fill("#f-message", "first description")
    page.click("button[value=save]")
    page.wait_for_url("**/w/demo/systems/support-bot?done=*")
    assert page.locator("h1").inner_text() == "Customer support bot"
    # the stored file is what `aisec assess` reads, and it round-trips byte for byte
    first = page.request.get(sam.live.url + "/w/demo/systems/support-bot/system.yaml").body()
    system = load_system_text(first.decode("utf-8"))
    assert (
        system.interfaces[0].models == ["chat"] and system.models[0].hosted_by == "model-provider"
    )
    form = sam.open("/w/demo/systems/support-bot/edit")
    assert form.input_value("#f-models-0-task") == "text-generation"
    form.click("button[value=save]")
    form.wait_for_url("**/w/demo/systems/support-bot?done=*")
    again = page.request.get(sam.live.url + "/w/demo/systems/support-bot/system.yaml").body()
    assert again == first
    assert sam.watch.errors == [] and sam.watch.dialogs == []


def test_form_errors_point_at_the_field(as_role) -> None:
    sam = as_role("sam")
    page = sam.open("/w/demo/systems/new")
    page.fill("#f-id", "Not A Valid Id")
    page.fill("#f-name", "x")
    page.click("button[value=save]")
    assert page.locator(".error-box").is_visible()
    assert page.locator("#f-id-error").is_visible()
    assert page.input_value("#f-name") == "x"  # nothing typed is lost


def test_yaml_editor_locates_errors_and_upload_round_trips(as_role, tmp_path) -> None:
    sam = as_role("sam")
    page = sam.open("/w/demo/systems/rag-assistant/yaml")
    original = page.input_value("#f-yaml")
    lines = original.split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("kind: genai"))
    lines[index] = lines[index].replace("genai", "banana")
    page.fill("#f-yaml", "\n".join(lines))
    page.click("#yaml-form button[type=submit]")
    box = page.locator("#yaml-errors")
    assert box.is_visible()
    text = box.inner_text()
    assert f"line {index + 1}" in text and "models[0].kind" in text
    assert page.locator(f"#L{index + 1}.del").count() == 1  # the line is marked in the listing
    # upload a hand-written file (comments, odd spacing): download gives the very same bytes
    raw = original.replace("\n", "\n", 1) + "# kept: a trailing comment  \n"
    upload = tmp_path / "rag-assistant.yaml"
    upload.write_bytes(raw.encode("utf-8"))
    page = sam.open("/w/demo/systems/rag-assistant/yaml")
    page.set_input_files("#f-upload", str(upload))
    page.click("form.dropzone button[type=submit]")
    page.wait_for_url("**/w/demo/systems/rag-assistant?done=*")
    got = page.request.get(sam.live.url + "/w/demo/systems/rag-assistant/system.yaml").body()
    assert got == upload.read_bytes()
