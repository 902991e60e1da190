"""Crosswalk and AI Act partials (written by the compliance modules) render inside the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jinja2 import DictLoader, Environment
from report_parse import parse

from aisec.reports.context import ReportInput
from aisec.reports.environment import optional_partial
from aisec.reports.html import render_html
from aisec.reports.markdown import render_markdown
from aisec.service import bundled_examples, run_assessment


def compliance_report() -> ReportInput:
    """The RAG example with real crosswalk coverage and AI Act obligations attached."""
    from aisec.analysis.coverage import coverage, states_from_assessment
    from aisec.analysis.obligations import obligations
    from aisec.catalog import default_catalog
    from aisec.catalog.crosswalk import default_crosswalks
    from aisec.catalog.frameworks import default_frameworks
    from aisec.system import load_system
    from aisec.system.assessment import load_assessment

    sid, path, assessment_path = next(e for e in bundled_examples() if e[0] == "rag-assistant")
    run = run_assessment(path, assessment_path, (), (), datetime(2026, 1, 1, tzinfo=UTC))
    catalog, walks = default_catalog(), default_crosswalks()
    states = states_from_assessment(load_assessment(assessment_path)) if assessment_path else None
    frameworks = default_frameworks()
    covs = tuple(
        coverage(catalog, walks, frameworks[key], states)
        for key in sorted(walks)
        if key in frameworks
    )
    obl = obligations(load_system(path), catalog, walks, states)
    return ReportInput(result=run.result, crosswalks=covs, obligations=obl)


@pytest.fixture(scope="module")
def report() -> ReportInput:
    return compliance_report()


def test_html_includes_both_partials(report: ReportInput) -> None:
    doc = parse(render_html(report))
    assert doc.by_id("crosswalks") and doc.by_id("ai-act-obligations")
    for element in doc.elements:
        value = (element.attrs.get("href") or element.attrs.get("src") or "").lower()
        assert not value.startswith(("http:", "https:", "//"))
    assert not doc.tags("script")


def test_markdown_includes_both_partials(report: ReportInput) -> None:
    md = render_markdown(report)
    assert "### What this work gives for other frameworks" in md
    assert "### EU AI Act obligations" in md


def test_partials_absent_without_data(report: ReportInput) -> None:
    bare = ReportInput(result=report.result)
    assert not parse(render_html(bare)).by_id("crosswalks")


@pytest.mark.parametrize(
    ("templates", "expected"),
    [
        ({}, None),
        ({"p.j2": "<b>{{ x }}</b>"}, "<b>&lt;i&gt;</b>"),
        ({"p.j2": "{{ x.missing.attr }}"}, "could not be rendered: UndefinedError"),
    ],
)
def test_optional_partial(templates: dict[str, str], expected: str | None) -> None:
    env = Environment(loader=DictLoader(templates), autoescape=True)
    out = optional_partial(env, "p.j2", {"x": "<i>"})
    if expected is None:
        assert out is None
    else:
        assert out is not None and expected in str(out)
