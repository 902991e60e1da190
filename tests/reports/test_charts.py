"""Inline SVG charts: computed geometry, escaped labels, no references outside the file."""

from __future__ import annotations

import pytest
from report_factory import BANDS, XSS, score
from report_parse import parse

from aisec.reports import charts


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (17, "critical"),
        (25, "critical"),
    ],
)
def test_band_of(value: int, band: str) -> None:
    assert charts.band_of(value, BANDS) == band


def test_heat_counts_clamps_onto_grid() -> None:
    assert charts.heat_counts([(1, 1), (1, 1), (9, 0), (5, 5)], 5) == {
        (1, 1): 2,
        (5, 1): 1,
        (5, 5): 1,
    }


@pytest.mark.parametrize("levels", [3, 5, 10])
def test_heatmap_cells_and_colours(levels: int) -> None:
    bands = {"low": 2, "medium": 4, "high": 6, "levels": levels}
    svg = charts.heatmap({(levels, levels): 3, (1, 1): 1}, levels, bands, "map")
    cells = parse(svg).in_svg("map", "rect", "cell")
    assert len(cells) == levels * levels
    by_pos = {(c.attrs["data-l"], c.attrs["data-i"]): c.attrs["fill"] for c in cells}
    assert by_pos[(str(levels), str(levels))] == charts.BAND_STRONG["critical"]
    assert by_pos[("1", "1")] == charts.BAND_STRONG["low"]
    assert by_pos[("1", "2")] == charts.BAND_PALE["low"]


def test_bar_width_is_proportional_and_clamped() -> None:
    svg = charts.readiness_bars(
        [score("a", "A", 50.0, 2, 1), score("b", "B", 150.0, 2, 2), score("c", "C", -5.0, 2, 0)],
        "bars",
    )
    bars = parse(svg).in_svg("bars", "rect", "bar")
    tracks = parse(svg).in_svg("bars", "rect", "track")
    full = float(tracks[0].attrs["width"] or 0)
    assert [float(b.attrs["width"] or 0) for b in bars] == [
        pytest.approx(full / 2, abs=0.1),
        pytest.approx(full, abs=0.1),
        0.0,
    ]


def test_not_assessed_never_reads_as_a_score() -> None:
    svg = charts.readiness_bars([score("x", "X", 0.0, 0, 0, assessed=False)], "bars")
    assert "not assessed" in svg and "0%" not in svg
    cols = charts.phase_columns([score("x", "X", 0.0, 0, 0, assessed=False)], "cols")
    assert "n/a" in cols and "not assessed" in cols and 'class="column not-assessed"' in cols


def test_labels_escaped_everywhere() -> None:
    hostile = score(XSS, XSS, 10.0, 1, 0)
    for svg in (
        charts.readiness_bars([hostile], XSS),
        charts.phase_columns([hostile], XSS),
        charts.heatmap({}, 5, BANDS, XSS),
        charts.risk_strip(9, 4, 25, BANDS, XSS),
    ):
        assert XSS not in svg
        doc = parse(svg)
        assert not doc.tags("script") and doc.tags("svg")[0].attrs["aria-label"] == XSS


def test_risk_strip_widths() -> None:
    doc = parse(charts.risk_strip(20, 5, 25, BANDS, "s", width=100))
    widths = {e.attrs.get("class"): float(e.attrs["width"] or 0) for e in doc.tags("rect")}
    assert widths["inherent"] == 80.0 and widths["residual"] == 20.0
