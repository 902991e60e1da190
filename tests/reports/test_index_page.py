"""The portfolio page: one row per system, worst first, each linking to its own report."""

from __future__ import annotations

from report_factory import XSS, make_result
from report_parse import parse

from aisec.analysis.model import AssessmentResult
from aisec.reports.index_page import render_index


def _system(system_id: str, max_residual: int) -> AssessmentResult:
    base = make_result()
    totals = base.totals.model_copy(update={"max_residual": max_residual})
    return base.model_copy(
        update={"system_id": system_id, "system_name": f"{system_id} {XSS}", "totals": totals}
    )


def test_rows_sorted_worst_first_with_links() -> None:
    html = render_index(
        [
            ("low-one", _system("low-one", 4)),
            ("hot-one", _system("hot-one", 20)),
            ("mid-one", _system("mid-one", 9)),
        ]
    )
    doc = parse(html)
    rows = [e.attrs["data-system"] for e in doc.tags("tr") if e.attrs.get("data-system")]
    assert rows == ["hot-one", "mid-one", "low-one"]
    links = [e.attrs["href"] for e in doc.tags("a")]
    assert links == ["hot-one.html", "mid-one.html", "low-one.html"]
    assert XSS not in html and f"hot-one {XSS}" in doc.all_text
    assert "Alignment with ISO/IEC 27090 guidance, not certification." in doc.all_text


def test_thumbnails_and_portfolio_maps() -> None:
    doc = parse(render_index([("a", _system("a", 16)), ("b", _system("b", 9))]))
    thumbs = [
        e
        for e in doc.tags("rect")
        if (e.svg_label or "").endswith(": residual risk heat map")
        and "cell" in (e.attrs.get("class") or "")
    ]
    assert len(thumbs) == 2 * 25
    cells = doc.in_svg("Portfolio residual risk heat map", "rect", "cell")
    assert sum(int(c.attrs["data-count"] or 0) for c in cells) == 6  # 3 risks x 2 systems
    assert not [
        e
        for e in doc.tags("text")
        if e.svg_label and e.svg_label.endswith(": residual risk heat map")
    ]


def test_mixed_scales_skip_the_portfolio_map() -> None:
    seven = make_result(bands={"low": 6, "medium": 20, "high": 40, "levels": 7})
    doc = parse(render_index([("a", make_result()), ("b", seven)]))
    assert not doc.in_svg("Portfolio residual risk heat map", "rect")
    assert "different risk scales" in doc.all_text


def test_empty_portfolio() -> None:
    text = parse(render_index([])).all_text
    assert "No system was assessed." in text
