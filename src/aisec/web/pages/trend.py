"""Residual-risk trend as an inline SVG line chart, drawn like the report charts (no script)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

_INK, _MUTED, _LINE, _ACCENT = "#1f2933", "#6b7785", "#d9dee4", "#2f6f8f"


def trend_chart(
    points: Sequence[tuple[str, int]], label: str, *, width: int = 640, height: int = 200
) -> Markup:
    """One point per revision (label, residual sum); the y axis starts at zero."""
    left, right, top, bottom = 48, 16, 14, 36
    inner_w, inner_h = width - left - right, height - top - bottom
    peak = max((v for _, v in points), default=0) or 1
    body = [
        f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" '
        f'stroke="{_LINE}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + inner_h}" stroke="{_LINE}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="10" '
        f'fill="{_MUTED}">{peak}</text>',
        f'<text x="{left - 6}" y="{top + inner_h}" text-anchor="end" font-size="10" '
        f'fill="{_MUTED}">0</text>',
    ]
    if not points:
        body.append(
            f'<text x="{left + inner_w / 2}" y="{top + inner_h / 2}" text-anchor="middle" '
            f'font-size="12" fill="{_MUTED}">no revision yet</text>'
        )
    step = inner_w / max(1, len(points) - 1)
    coords = [
        (left + (i * step if len(points) > 1 else inner_w / 2), top + inner_h * (1 - v / peak))
        for i, (_, v) in enumerate(points)
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{_ACCENT}" stroke-width="2"/>')
    every = max(1, len(points) // 8)
    for i, ((name, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        body.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{_ACCENT}">'
            f"<title>{escape(name)}: {value}</title></circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            body.append(
                f'<text x="{x:.1f}" y="{top + inner_h + 16}" text-anchor="middle" '
                f'font-size="10" fill="{_INK}">{escape(name)}</text>'
            )
    return Markup(  # noqa: S704 - every interpolated value is escaped or a number
        f'<svg class="chart trend" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        + "".join(body)
        + "</svg>"
    )
