"""The crosswalk and obligations partials render our models safely, in HTML and Markdown."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import pytest

from aisec.analysis.coverage import ControlInput, coverage, states_from_assessment
from aisec.analysis.obligations import obligations
from aisec.catalog import default_catalog
from aisec.catalog.crosswalk import default_crosswalks, parse_crosswalk
from aisec.catalog.frameworks import default_frameworks, parse_framework
from aisec.common.yamlio import load_yaml_text
from aisec.reports.environment import html_env, markdown_env
from aisec.system.assessment import ControlStatus, load_assessment
from aisec.system.loader import load_system

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
HOSTILE = "<script>alert(1)</script> | x"

HOSTILE_FRAMEWORK = f"""\
key: evil
name: "{HOSTILE}"
version: "1"
namespace: "evil:"
shape: control
source: test
licence: test
items:
  - {{id: "evil:X1", title: "{HOSTILE}"}}
"""
HOSTILE_CROSSWALK = """\
framework: evil
controls:
  rate-limit:
    - {to: "evil:X1", rel: equal, why: "a rationale that is long enough"}
"""


@pytest.fixture(scope="module")
def hostile() -> list:
    framework = parse_framework(load_yaml_text(HOSTILE_FRAMEWORK, "evil.yaml"))
    crosswalk = parse_crosswalk(
        load_yaml_text(HOSTILE_CROSSWALK, "cw.yaml"), MappingProxyType({"evil": framework})
    )
    states = {"rate-limit": ControlInput(ControlStatus.VERIFIED, evidence=(HOSTILE,))}
    return [coverage(default_catalog(), {"evil": crosswalk}, framework, states)]


@pytest.fixture(scope="module")
def assessed() -> list:
    catalog = default_catalog()
    states = states_from_assessment(load_assessment(EXAMPLES / "rag-assistant.assessment.yaml"))
    return [
        coverage(catalog, default_crosswalks(), default_frameworks()[key], states)
        for key in ("iso42001", "eu-ai-act", "owasp-llm")
    ]


def _html(name: str, **context: object) -> str:
    return html_env().get_template(name).render(**context)


def test_crosswalk_partial_has_chart_and_one_table_per_framework(assessed: list) -> None:
    html = _html("crosswalk.html.j2", crosswalks=assessed)
    assert html.count("<svg") == 1 and html.count("<table") == 3
    assert html.count("<rect") >= 3 + 1  # bar segments and legend
    for fc in assessed:
        assert f'id="crosswalk-{fc.framework}"' in html
        assert f">{sum(fc.counts.values())}</text>" in html
    assert "A.6.2.4" in html and "Art.15(5)" in html
    assert "<script" not in html and not re.search(r"(src|href)=\"?https?:", html)


def test_bar_segments_add_up_to_the_bar_width(assessed: list) -> None:
    html = _html("crosswalk.html.j2", crosswalks=assessed[:1])
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="4" width="([\d.]+)"', html)]
    assert sum(widths) == pytest.approx(420, abs=0.5)


def test_hostile_text_is_escaped(hostile: list) -> None:
    html = _html("crosswalk.html.j2", crosswalks=hostile)
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = markdown_env().get_template("crosswalk.md.j2").render(crosswalks=hostile)
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\| x" in md


def test_empty_input_renders_nothing() -> None:
    assert _html("crosswalk.html.j2", crosswalks=()).strip() == ""
    assert _html("obligations.html.j2", obligations=None).strip() == ""


def test_obligations_partial_shows_disclaimer_and_articles() -> None:
    system = load_system(EXAMPLES / "vendor-finetune-api.yaml")
    data = system.model_dump(by_alias=True)
    data["regulatory"].update(
        annex_iii_area="employment", eu_ai_act_role="both", public_body_or_public_service=True
    )
    system = type(system).model_validate(data)
    result = obligations(system, default_catalog(), default_crosswalks())
    html = _html("obligations.html.j2", obligations=result)
    assert "Guidance, not legal advice" in html
    for article in ("Art.15(5)", "Art.26", "Art.27", "Art.72", "Art.73"):
        assert f"<code>{article}</code>" in html
    assert "iso42001:2023:6.1.4" in html and "iso42005:2025" in html
    md = markdown_env().get_template("obligations.md.j2").render(obligations=result)
    assert "not legal advice" in md and "| Art.27" in md


def test_partials_accept_tuples_as_the_report_passes_them(assessed: list) -> None:
    html = _html("crosswalk.html.j2", crosswalks=tuple(assessed))
    assert html.count("<table") == 3
