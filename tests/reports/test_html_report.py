"""The HTML report: sections present, self-contained, hostile text escaped, charts computed."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from markupsafe import Markup
from report_factory import ATTR, NOW, XSS, make_result
from report_parse import parse

from aisec.probes.finding import EvidenceReport, Finding, Severity, Verdict
from aisec.reports import sections
from aisec.reports.context import ReportInput
from aisec.reports.html import render_html

SECTION_IDS = [
    "cover",
    "how-to-read",
    "summary",
    "readiness",
    "heatmaps",
    "threats",
    "excluded-threats",
    "controls",
    "controls-vendor",
    "controls-integrator",
    "controls-shared",
    "excluded-controls",
    "not-needed-controls",
    "roadmap",
    "interactions",
    "practices",
    "evidence",
    "appendix",
    "register",
]


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(ReportInput(result=make_result()))


@pytest.mark.parametrize("section_id", SECTION_IDS)
def test_every_section_is_present_once(html: str, section_id: str) -> None:
    assert len(parse(html).by_id(section_id)) == 1


def test_ids_are_unique(html: str) -> None:
    ids = [e.attrs["id"] for e in parse(html).elements if e.attrs.get("id")]
    assert len(ids) == len(set(ids))


def test_title_block_states_alignment_not_certification(html: str) -> None:
    text = parse(html).all_text
    assert "Alignment with ISO/IEC 27090 guidance, not certification." in text
    assert "How to read this report." in text
    for fact in (
        "test-bot",
        "integrator",
        "conversational-assistant, rag",
        "14 March 2026",
        "2026.test",
        "0.0.0-test",
    ):
        assert fact in text


def test_no_external_reference(html: str) -> None:
    doc = parse(html)
    for element in doc.elements:
        for name in ("src", "href", "action", "xlink:href", "data"):
            value = (element.attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "javascript:")), (
                element.tag,
                value,
            )
    assert not doc.tags("script") and not doc.tags("link") and not doc.tags("img")
    assert not doc.tags("iframe") and not doc.tags("object")
    style = "".join(m for m in re.findall(r"<style>(.*?)</style>", html, re.S))
    assert "@import" not in style and "url(" not in style


def test_user_strings_are_escaped(html: str) -> None:
    doc = parse(html)
    assert not doc.tags("script")
    assert all(not name.startswith("on") for e in doc.elements for name in e.attrs)
    assert XSS not in html and ATTR not in html
    text = doc.all_text
    # the hostile strings survive as text in every place they were put
    for fragment in (
        "Helpdesk " + XSS,
        "Answers questions. " + XSS,
        "IT " + ATTR + " & Co",
        "retriever " + XSS,
        "nobody trains here " + XSS,
        "see ticket " + XSS,
        "rate-limit costs availability " + XSS,
        "Assessment note " + XSS,
        "Platform " + ATTR,
    ):
        assert fragment in text, fragment


def test_svg_labels_are_escaped() -> None:
    html = render_html(ReportInput(result=make_result()))
    doc = parse(html)
    labels = [e for e in doc.tags("text") if e.svg_label == "Readiness per control category"]
    assert labels
    assert "Runtime access " + XSS in doc.all_text


def test_readiness_chart_has_one_bar_per_category_and_marks_not_assessed(html: str) -> None:
    doc = parse(html)
    bars = doc.in_svg("Readiness per control category", "rect", "bar")
    assert [b.attrs["data-key"] for b in bars] == ["GOV", "IOH", "ACC", "ROB"]
    not_assessed = [b.attrs["data-key"] for b in bars if "not-assessed" in (b.attrs["class"] or "")]
    assert not_assessed == ["GOV"]
    widths = {b.attrs["data-key"]: float(b.attrs["width"] or 0) for b in bars}
    assert widths["ROB"] > widths["ACC"] > widths["IOH"] > 0


def test_role_and_phase_charts(html: str) -> None:
    doc = parse(html)
    assert len(doc.in_svg("Readiness by role", "rect", "bar")) == 3
    columns = doc.in_svg("Coverage by life-cycle phase", "rect", "column")
    assert [c.attrs["data-key"] for c in columns] == ["design", "deployment", "operation"]
    assert "not-assessed" in (columns[0].attrs["class"] or "")


@pytest.mark.parametrize(
    ("label", "cells"),
    [
        ("Inherent risk heat map", {(5, 4): 1, (4, 4): 1, (3, 2): 1}),
        ("Residual risk heat map", {(4, 4): 1, (3, 3): 1, (2, 2): 1}),
    ],
)
def test_heat_maps_count_risks_per_cell(
    html: str, label: str, cells: dict[tuple[int, int], int]
) -> None:
    rects = parse(html).in_svg(label, "rect", "cell")
    assert len(rects) == 25
    counts = {
        (int(r.attrs["data-l"] or 0), int(r.attrs["data-i"] or 0)): int(r.attrs["data-count"] or 0)
        for r in rects
    }
    assert {k: v for k, v in counts.items() if v} == cells


def test_heat_map_follows_configured_levels() -> None:
    bands = {"low": 6, "medium": 20, "high": 40, "levels": 7}
    html = render_html(ReportInput(result=make_result(bands=bands)))
    assert len(parse(html).in_svg("Residual risk heat map", "rect", "cell")) == 49


def test_threat_table_and_exclusions(html: str) -> None:
    doc = parse(html)
    text = doc.all_text
    rows = [e for e in doc.elements if e.tag == "tr"]
    assert len(rows) > 10
    # duplicated facts are said once; aggravating and easing facts are listed
    assert text.count("retriever inserts untrusted web pages into prompts") == 1
    assert "outputs are reviewed" in text and "Demonstrated by evidence" in text
    assert "Beyond CIA:" in text and "harm to individuals" in text
    assert "Data poisoning" in text and "R001" in text


def test_controls_split_by_role_with_evidence_marks(html: str) -> None:
    doc = parse(html)
    roles = [t.attrs["data-role"] for t in doc.tags("table") if t.attrs.get("data-role")]
    assert roles == ["vendor", "integrator", "shared"]
    text = doc.all_text
    assert "evidence verified" in text and "evidence failed" in text
    assert "excluded: we only call a hosted model" in text
    assert "role set by the assessment" in text


def test_no_assessment_note_and_empty_result() -> None:
    from aisec.analysis.model import Totals

    empty = make_result(
        risks=[],
        decisions=[],
        roadmap=[],
        interactions=[],
        assessed=False,
        totals=Totals(
            threats_applicable=0,
            threats_excluded=0,
            risks=0,
            risks_above_acceptance=0,
            inherent_sum=0,
            residual_sum=0,
            max_inherent=0,
            max_residual=0,
            controls_relevant=0,
            controls_in_place=0,
        ),
    )
    text = parse(render_html(ReportInput(result=empty))).all_text
    assert "nothing was assessed" in text and "not a clean bill" in text
    assert "No risk item" in text


def _evidence(tool: str) -> EvidenceReport:
    return EvidenceReport(
        tool=tool,
        tool_version="1",
        generated_at=NOW,
        subject="model.pkl",
        findings=[
            Finding(
                tool=tool,
                rule_id="r",
                verdict=Verdict.FAIL,
                severity=Severity.HIGH,
                location="x",
                message=XSS,
            )
        ],
    )


class _Broken:
    TITLE = "Broken family"

    @staticmethod
    def render_html(reports: Sequence[EvidenceReport]) -> Markup:
        raise RuntimeError("boom <b>")


class _Good:
    TITLE = "Good family"

    @staticmethod
    def render_html(reports: Sequence[EvidenceReport]) -> Markup:
        return Markup('<p class="family-marker">{} report(s)</p>').format(len(reports))


def test_evidence_sections_one_per_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sections.SECTIONS, "fake-good", _Good)
    monkeypatch.setitem(sections.SECTIONS, "fake-broken", _Broken)
    evidence = (
        _evidence("fake-good"),
        _evidence("fake-good"),
        _evidence("fake-broken"),
        _evidence("unknown-tool"),
    )
    doc = parse(render_html(ReportInput(result=make_result(), evidence=evidence)))
    text = doc.all_text
    assert "Good family" in text and "2 report(s)" in text
    assert "Broken family" in text and "could not be rendered: RuntimeError: boom <b>" in text
    assert "Evidence from unknown-tool" in text and "fail: 1" in text
    assert not doc.tags("b")  # the exception text stayed text
