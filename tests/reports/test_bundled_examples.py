"""Every bundled example renders to a complete, self-contained HTML and Markdown report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from report_parse import parse

from aisec.reports.html import render_html
from aisec.reports.index_page import render_index
from aisec.reports.markdown import render_markdown
from aisec.service import AssessmentRun, bundled_examples, run_assessment

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EXAMPLES = bundled_examples()
SECTIONS = (
    "summary",
    "readiness",
    "heatmaps",
    "threats",
    "controls",
    "roadmap",
    "interactions",
    "practices",
    "evidence",
    "appendix",
)


@pytest.fixture(scope="module")
def runs() -> dict[str, AssessmentRun]:
    return {
        sid: run_assessment(path, assessment, (), (), NOW) for sid, path, assessment in EXAMPLES
    }


def test_five_examples_are_bundled() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("system_id", [sid for sid, _, _ in EXAMPLES])
def test_example_report(runs: dict[str, AssessmentRun], system_id: str) -> None:
    run = runs[system_id]
    doc = parse(render_html(run.report))
    for section in SECTIONS:
        assert doc.by_id(section), section
    for element in doc.elements:
        for name in ("src", "href"):
            value = (element.attrs.get(name) or "").lower()
            assert not value.startswith(("http:", "https:", "//")), value
    heat = doc.in_svg("Residual risk heat map", "rect", "cell")
    assert sum(int(c.attrs["data-count"] or 0) for c in heat) == len(run.result.risks)
    bars = doc.in_svg("Readiness per control category", "rect", "bar")
    assert len(bars) == len(run.result.readiness.by_category) == 10
    md = render_markdown(run.report)
    assert md.count("\n## ") == 12  # 10 sections + crosswalk and record appendices


def test_portfolio_lists_every_example(runs: dict[str, AssessmentRun]) -> None:
    doc = parse(render_index([(sid, run.result) for sid, run in runs.items()]))
    links = sorted(e.attrs["href"] or "" for e in doc.tags("a"))
    assert links == sorted(f"{sid}.html" for sid in runs)
