"""Inline SVG charts for the HTML reports: computed here, never fetched, every label escaped.

Each function is pure: it takes analysis figures and returns a `Markup` SVG string that the
templates embed as is. No scripts, no external references, no ids (so several charts can share a
page), colours chosen to stay readable when printed in greyscale (values are always written out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from aisec.analysis.model import ReadinessScore

# Band colours: a strong tone for cells holding risks, a pale tone for the empty background.
BAND_STRONG = {"low": "#6aa84f", "medium": "#f1c232", "high": "#e69138", "critical": "#cc0000"}
BAND_PALE = {"low": "#e3efdc", "medium": "#fcf3d2", "high": "#f9e2cc", "critical": "#f4cccc"}
BAND_INK = {"low": "#ffffff", "medium": "#3b3b3b", "high": "#ffffff", "critical": "#ffffff"}
_TRACK = "#eef0f3"
_INK = "#1f2933"
_MUTED = "#6b7785"


def band_of(score: int, bands: Mapping[str, int]) -> str:
    """Band of an L x I score under the thresholds of `result.bands` (upper bounds, inclusive)."""
    if score <= bands["low"]:
        return "low"
    if score <= bands["medium"]:
        return "medium"
    if score <= bands["high"]:
        return "high"
    return "critical"


def readiness_colour(score: float) -> str:
    if score < 40:
        return "#cc4125"
    if score < 70:
        return "#e69138"
    return "#38761d"


def _svg(width: float, height: float, label: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every piece is escaped above


def _text(
    x: float,
    y: float,
    text: object,
    *,
    anchor: str = "start",
    size: int = 12,
    fill: str = _INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}"{extra}>{escape(str(text))}</text>'
    )


def readiness_bars(scores: Sequence[ReadinessScore], label: str, *, width: int = 860) -> Markup:
    """One horizontal bar per score (0-100 %); a slice without relevant controls is drawn as a
    dashed, empty track reading 'not assessed' so it can never pass for 0 % or 100 %."""
    row, top = 28, 8
    label_width = 16 + 6.3 * max((len(s.label) for s in scores), default=0)
    track_x, track_w = label_width, width - label_width - 130
    body = []
    for n, item in enumerate(scores):
        y = top + n * row
        body.append(_text(track_x - 8, y + 15, item.label, anchor="end"))
        if item.assessed:
            bar_w = max(0.0, min(100.0, item.score)) * track_w / 100
            body.append(
                f'<rect class="track" x="{track_x}" y="{y + 3}" width="{track_w}" '
                f'height="16" rx="3" fill="{_TRACK}"/>'
            )
            body.append(
                f'<rect class="bar" data-key="{escape(item.key)}" x="{track_x}" y="{y + 3}" '
                f'width="{bar_w:.1f}" height="16" rx="3" fill="{readiness_colour(item.score)}"/>'
            )
            value = f"{item.score:.0f}%  ({item.implemented}/{item.controls} in place)"
            body.append(_text(track_x + track_w + 8, y + 15, value, size=11))
        else:
            body.append(
                f'<rect class="bar not-assessed" data-key="{escape(item.key)}" x="{track_x}" '
                f'y="{y + 3}" width="{track_w}" height="16" rx="3" fill="#ffffff" '
                f'stroke="#9aa5b1" stroke-dasharray="4 3"/>'
            )
            body.append(
                _text(
                    track_x + track_w / 2,
                    y + 15,
                    "not assessed",
                    anchor="middle",
                    size=11,
                    fill=_MUTED,
                    extra=' font-style="italic"',
                )
            )
            body.append(
                _text(track_x + track_w + 8, y + 15, "no relevant control", size=11, fill=_MUTED)
            )
    return _svg(width, top * 2 + row * len(scores), label, body)


def phase_columns(scores: Sequence[ReadinessScore], label: str, *, height: int = 220) -> Markup:
    """Coverage by life-cycle phase: one column per phase, height = readiness, with in-place
    counts underneath; phases without relevant controls get a dashed 'n/a' outline."""
    col, gap, left, plot_h, top = 54, 20, 40, height - 70, 14
    width = left + len(scores) * (col + gap) + 10
    base = top + plot_h
    body = [f'<line x1="{left - 4}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="{_MUTED}"/>']
    for tick in (0, 50, 100):
        y = base - plot_h * tick / 100
        body.append(_text(left - 8, y + 4, f"{tick}%", anchor="end", size=10, fill=_MUTED))
        if tick:
            body.append(
                f'<line x1="{left - 4}" y1="{y:g}" x2="{width - 6}" y2="{y:g}" '
                f'stroke="#d9dee4" stroke-dasharray="2 3"/>'
            )
    for n, item in enumerate(scores):
        x = left + gap / 2 + n * (col + gap)
        if item.assessed:
            h = plot_h * max(0.0, min(100.0, item.score)) / 100
            body.append(
                f'<rect class="column" data-key="{escape(item.key)}" x="{x:g}" y="{base - h:.1f}" '
                f'width="{col}" height="{h:.1f}" fill="{readiness_colour(item.score)}"/>'
            )
            body.append(
                _text(
                    x + col / 2,
                    base - h - 5,
                    f"{item.score:.0f}%",
                    anchor="middle",
                    size=11,
                    weight="bold",
                )
            )
            counts = f"{item.implemented}/{item.controls}"
        else:
            body.append(
                f'<rect class="column not-assessed" data-key="{escape(item.key)}" x="{x:g}" '
                f'y="{top + plot_h / 2:g}" width="{col}" height="{plot_h / 2:g}" fill="#ffffff" '
                f'stroke="#9aa5b1" stroke-dasharray="4 3"/>'
            )
            body.append(
                _text(
                    x + col / 2, top + plot_h * 0.75, "n/a", anchor="middle", size=11, fill=_MUTED
                )
            )
            counts = "not assessed"
        body.append(_text(x + col / 2, base + 18, item.label, anchor="middle", size=11))
        body.append(_text(x + col / 2, base + 34, counts, anchor="middle", size=10, fill=_MUTED))
    return _svg(width, height, label, body)


def heat_counts(pairs: Sequence[tuple[int, int]], levels: int) -> dict[tuple[int, int], int]:
    """Count (likelihood, impact) pairs per cell, clamping stray values onto the grid."""
    counts: dict[tuple[int, int], int] = {}
    for like, imp in pairs:
        key = (max(1, min(levels, like)), max(1, min(levels, imp)))
        counts[key] = counts.get(key, 0) + 1
    return counts


def heatmap(
    counts: Mapping[tuple[int, int], int],
    levels: int,
    bands: Mapping[str, int],
    label: str,
    *,
    cell: int = 46,
    axes: bool = True,
) -> Markup:
    """A levels x levels risk matrix: likelihood upwards, impact rightwards; each cell coloured
    by the band of L x I and showing how many risks sit there."""
    left, top = (52, 10) if axes else (1, 1)
    size = levels * cell
    width = left + size + (10 if axes else 1)
    height = top + size + (44 if axes else 1)
    body = []
    for like in range(levels, 0, -1):
        y = top + (levels - like) * cell
        if axes:
            body.append(_text(left - 8, y + cell / 2 + 4, like, anchor="end", size=11, fill=_MUTED))
        for imp in range(1, levels + 1):
            x = left + (imp - 1) * cell
            count = counts.get((like, imp), 0)
            name = band_of(like * imp, bands)
            fill = BAND_STRONG[name] if count else BAND_PALE[name]
            body.append(
                f'<rect class="cell" data-l="{like}" data-i="{imp}" data-count="{count}" '
                f'x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" '
                f'stroke="#ffffff" stroke-width="2"><title>likelihood {like} x impact {imp} '
                f"= {like * imp} ({name}): {count} risk(s)</title></rect>"
            )
            if count and axes:  # thumbnails show colour only; numbers would not be legible
                body.append(
                    _text(
                        x + cell / 2,
                        y + cell / 2 + 5,
                        count,
                        anchor="middle",
                        size=15,
                        weight="bold",
                        fill=BAND_INK[name],
                    )
                )
    if axes:
        for imp in range(1, levels + 1):
            body.append(
                _text(
                    left + (imp - 0.5) * cell,
                    top + size + 16,
                    imp,
                    anchor="middle",
                    size=11,
                    fill=_MUTED,
                )
            )
        body.append(
            _text(left + size / 2, top + size + 36, "impact", anchor="middle", size=12, fill=_MUTED)
        )
        cy = top + size / 2
        body.append(
            _text(
                14,
                cy,
                "likelihood",
                anchor="middle",
                size=12,
                fill=_MUTED,
                extra=f' transform="rotate(-90 14 {cy:g})"',
            )
        )
    return _svg(width, height, label, body)


def risk_strip(
    inherent: int,
    residual: int,
    top: int,
    bands: Mapping[str, int],
    label: str,
    *,
    width: int = 180,
) -> Markup:
    """Inherent (pale) and residual (strong) maximum risk on one 0..levels^2 track."""

    def w(value: int) -> float:
        return max(0.0, min(1.0, value / top)) * width if top else 0.0

    pale, edge = BAND_PALE[band_of(inherent, bands)], BAND_STRONG[band_of(inherent, bands)]
    body = [
        f'<rect x="0" y="4" width="{width}" height="12" rx="2" fill="{_TRACK}"/>',
        f'<rect class="inherent" x="0" y="4" width="{w(inherent):.1f}" height="12" rx="2" '
        f'fill="{pale}" stroke="{edge}"/>',
        f'<rect class="residual" x="0" y="7" width="{w(residual):.1f}" height="6" '
        f'fill="{BAND_STRONG[band_of(residual, bands)]}"/>',
    ]
    return _svg(width, 20, label, body)
