"""Chat-template analysis: realistic templates pass, every injection recipe is caught."""

from __future__ import annotations

import pytest

from aisec.probes.artifacts.formats.chat_template import analyse_template
from aisec.probes.finding import Verdict

from .templates import BENIGN, INJECTIONS


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_templates_pass(name: str) -> None:
    assert analyse_template(BENIGN[name]) == []


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_injections_are_malicious(name: str) -> None:
    issues = analyse_template(INJECTIONS[name])
    assert any(i.verdict is Verdict.MALICIOUS for i in issues), issues
    bad = [i for i in issues if i.verdict is Verdict.MALICIOUS]
    assert all(i.rule_id == "gguf.template-injection" for i in bad)
    assert all(i.details["snippet"] for i in bad)
    assert "backdoor" in bad[0].threats


@pytest.mark.parametrize(
    "source",
    [
        "{{ x|attr(name) }}",  # attribute chosen at render time
        "{{ x[('a' ~ y)] }}",  # item key built at render time
        "{{ '%c'|format(95) }}",  # character-code building
        "{{ lipsum }}",  # gadget global without a visible dunder
        "{% include 'header.jinja' %}",  # pulls in a template from the server's loader
    ],
)
def test_obfuscation_hints_are_suspicious(source: str) -> None:
    issues = analyse_template(source)
    assert issues and all(i.verdict is Verdict.SUSPICIOUS for i in issues)


def test_unparsable_template_is_suspicious_and_regex_still_runs() -> None:
    issues = analyse_template("{% for %}{{ x.__class__ }}")
    assert {i.rule_id for i in issues} == {"gguf.template-unparsable", "gguf.template-suspicious"}


def test_rule_prefix_is_configurable() -> None:
    issues = analyse_template(INJECTIONS["eval-call"], rule_prefix="tokenizer")
    assert issues[0].rule_id.startswith("tokenizer.")


def test_deeply_nested_template_does_not_crash() -> None:
    source = "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}"
    issues = analyse_template(source)
    assert all(i.verdict is not Verdict.PASS for i in issues)
