"""Report section for classic-ML tests (`aisec-mltest` evidence): one card per run with the four
verdicts, and inline SVG charts of robust accuracy against the perturbation budget, the
membership-inference ROC on log axes (where the low-FPR privacy numbers live) and surrogate
fidelity against the number of queries.

A pure function of the evidence: no I/O, no clock. Details are read defensively (evidence files
come from disk and may be malformed); every string is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from aisec.probes.finding import EvidenceReport, Finding

TITLE = "Classic-ML robustness and privacy tests"

Point = tuple[float, float]
Series = tuple[str, str, str, list[Point]]  # name, colour, dash pattern, points

_INK, _MUTED, _GRID = "#1f2933", "#6b7785", "#e4e7eb"
_BLUE, _RED, _GREEN, _GREY = "#1f5fa8", "#b3261e", "#2e7d32", "#9aa5b1"
_CLASS = {"pass": "pass", "fail": "fail", "suspicious": "fail", "malicious": "fail"}

_TEMPLATE = """\
{% for run in runs %}<div class="card">
<p><strong>{{ run.subject }}</strong> &middot; seed {{ run.seed }} &middot; split
{{ run.split }} &middot; {{ run.versions }}</p>
<table class="table"><thead><tr><th>test</th><th>verdict</th><th>result</th></tr></thead><tbody>
{% for f in run.findings %}<tr><td>{{ f.rule_id }}</td>
<td class="{{ classes.get(f.verdict.value, 'warn') }}">{{ f.verdict.value }}</td>
<td>{{ f.message }}</td></tr>{% endfor %}</tbody></table>
<div style="display:flex;flex-wrap:wrap;gap:12px">{% for chart in run.charts %}{{ chart }}{% endfor %}</div>
{% if run.rows %}<p>Most suspicious training rows (0-based index):</p>
<table class="table"><thead><tr><th>row</th><th>label score</th><th>outlier pct</th>
<th>spectral pct</th><th>why</th></tr></thead><tbody>
{% for r in run.rows %}<tr><td>{{ r.index }}</td><td>{{ r.label }}</td><td>{{ r.outlier }}</td>
<td>{{ r.spectral }}</td><td>{{ r.reasons }}</td></tr>{% endfor %}</tbody></table>{% endif %}
{% if run.problems %}<p class="warn">{{ run.problems }}</p>{% endif %}
</div>{% endfor %}
"""

_ENV = Environment(autoescape=True)  # noqa: S701 - autoescape is on
_TMPL = _ENV.from_string(_TEMPLATE)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _points(mapping: Any) -> list[Point]:
    """{"0.1": 0.9, ...} → sorted [(0.1, 0.9), ...], skipping anything not numeric."""
    out: list[Point] = []
    if isinstance(mapping, dict):
        for key, val in mapping.items():
            try:
                x = float(key)
            except (TypeError, ValueError):
                continue
            y = _num(val)
            if y is not None and math.isfinite(x):
                out.append((x, y))
    return sorted(out)


def _pos(value: float, lo: float, hi: float, log: bool) -> float:
    """Position of `value` in [0, 1] along an axis from lo to hi (log10 when `log`)."""
    if log:
        value, lo, hi = (math.log10(max(v, 1e-12)) for v in (value, lo, hi))
    return 0.0 if hi == lo else min(max((value - lo) / (hi - lo), 0.0), 1.0)


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        return [10.0**e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
    return [lo + (hi - lo) * i / 4 for i in range(5)]


def _decades(bounds: Point) -> Point:
    """Widen a log axis to whole decades so the ticks fall on its ends."""
    lo, hi = max(bounds[0], 1e-12), max(bounds[1], 1e-12)
    return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(max(hi, lo * 1.0001)))


def line_chart(
    title: str,
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    x_range: Point,
    y_range: Point,
    x_log: bool = False,
    y_log: bool = False,
) -> Markup:
    """A small self-contained SVG line chart with markers, axes, ticks and a legend."""
    w, h, left, right, top, bottom = 380.0, 260.0, 52.0, 12.0, 28.0, 64.0
    x_range = _decades(x_range) if x_log else x_range
    y_range = _decades(y_range) if y_log else y_range
    pw, ph = w - left - right, h - top - bottom

    def px(x: float) -> float:
        return left + _pos(x, *x_range, x_log) * pw

    def py(y: float) -> float:
        return top + (1 - _pos(y, *y_range, y_log)) * ph

    body = [
        f'<text x="{w / 2:g}" y="16" text-anchor="middle" font-size="13" fill="{_INK}" '
        f'font-weight="bold">{escape(title)}</text>'
    ]
    for t in _ticks(*x_range, x_log):
        x = px(t)
        body.append(
            f'<line x1="{x:.1f}" y1="{top:g}" x2="{x:.1f}" y2="{top + ph:g}" '
            f'stroke="{_GRID}"/><text x="{x:.1f}" y="{top + ph + 14:g}" font-size="10" '
            f'text-anchor="middle" fill="{_MUTED}">{escape(f"{t:g}")}</text>'
        )
    for t in _ticks(*y_range, y_log):
        y = py(t)
        body.append(
            f'<line x1="{left:g}" y1="{y:.1f}" x2="{left + pw:g}" y2="{y:.1f}" '
            f'stroke="{_GRID}"/><text x="{left - 4:g}" y="{y + 3:.1f}" font-size="10" '
            f'text-anchor="end" fill="{_MUTED}">{escape(f"{t:g}")}</text>'
        )
    body.append(
        f'<rect x="{left:g}" y="{top:g}" width="{pw:g}" height="{ph:g}" fill="none" '
        f'stroke="{_MUTED}"/>'
    )
    body.append(
        f'<text x="{left + pw / 2:g}" y="{top + ph + 30:g}" font-size="11" '
        f'text-anchor="middle" fill="{_INK}">{escape(x_label)}</text>'
    )
    body.append(
        f'<text x="12" y="{top + ph / 2:g}" font-size="11" text-anchor="middle" '
        f'fill="{_INK}" transform="rotate(-90 12 {top + ph / 2:g})">'
        f"{escape(y_label)}</text>"
    )
    for n, (name, colour, dash, pts) in enumerate(series):
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        if coords:
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )
        if len(pts) <= 12:
            body.extend(
                f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in pts
            )
        lx, ly = left + (n % 2) * pw / 2, top + ph + 46 + (n // 2) * 13
        body.append(
            f'<line x1="{lx:g}" y1="{ly - 4:g}" x2="{lx + 16:g}" y2="{ly - 4:g}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{lx + 20:g}" y="{ly:g}" font-size="10" fill="{_INK}">'
            f"{escape(name)}</text>"
        )
    return Markup(  # noqa: S704 - every text piece is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w:g} {h:g}" '
        f'width="{w:g}" height="{h:g}" aria-label="{escape(title)}"><title>{escape(title)}'
        f"</title>{''.join(body)}</svg>"
    )


def _evasion_chart(d: dict[str, Any]) -> Markup | None:
    series: list[Series] = []
    for key, colour, dash in (("blackbox", _BLUE, "none"), ("whitebox", _RED, "5,3")):
        part = d.get(key)
        if isinstance(part, dict):
            pts = _points(part.get("robust_accuracy"))
            if pts:
                series.append((str(part.get("attack", key)), colour, dash, pts))
    clean = _num(d.get("clean_accuracy"))
    if not series:
        return None
    xs = [x for s in series for x, _ in s[3] if x > 0]
    lo, hi = min(xs), max(xs)
    if clean is not None:
        series.append(("clean accuracy", _GREY, "2,2", [(lo, clean), (hi, clean)]))
    return line_chart(
        "Robust accuracy vs budget",
        series,
        x_label="eps (std devs, L-inf)",
        y_label="accuracy",
        x_range=(lo, hi),
        y_range=(0.0, 1.0),
        x_log=hi / lo > 9,
    )


def _roc_points(part: Any) -> list[Point]:
    if not isinstance(part, dict) or not isinstance(part.get("roc"), list):
        return []
    pts = []
    for item in part["roc"]:
        if isinstance(item, list) and len(item) == 2:
            f, t = _num(item[0]), _num(item[1])
            if f is not None and t is not None and (f > 0 or t > 0):
                pts.append((max(f, 1e-3), max(t, 1e-3)))  # log axes: clip at the 0.1 % floor
    return pts


def _roc_chart(d: dict[str, Any]) -> Markup | None:
    series: list[Series] = [("chance", _GREY, "2,2", [(1e-3, 1e-3), (1.0, 1.0)])]
    for key, name, colour, dash in (
        ("threshold_attack", "confidence threshold", _BLUE, "none"),
        ("shadow_attack", "shadow models (ART)", _RED, "5,3"),
        ("reference_attack", "reference models", _GREEN, "1,2"),
    ):
        pts = _roc_points(d.get(key))
        if pts:
            auc = _num(d[key].get("auc"))
            label = f"{name} (AUC {auc:.3f})" if auc is not None else name
            series.append((label, colour, dash, pts))
    if len(series) == 1:
        return None
    return line_chart(
        "Membership inference ROC (log axes)",
        series,
        x_label="false positive rate",
        y_label="true positive rate",
        x_range=(1e-3, 1.0),
        y_range=(1e-3, 1.0),
        x_log=True,
        y_log=True,
    )


def _fidelity_chart(d: dict[str, Any]) -> Markup | None:
    fid = _points(d.get("fidelity"))
    if not fid:
        return None
    series: list[Series] = [("fidelity to target", _BLUE, "none", fid)]
    acc = _points(d.get("surrogate_accuracy"))
    if acc:
        series.append(("surrogate accuracy", _GREEN, "5,3", acc))
    lo, hi = fid[0][0], fid[-1][0]
    return line_chart(
        "Extraction fidelity vs queries",
        series,
        x_label="queries to the target",
        y_label="agreement",
        x_range=(lo, max(hi, lo * 10)),
        y_range=(0.0, 1.0),
        x_log=True,
    )


_CHARTS = {
    "mltest.evasion": _evasion_chart,
    "mltest.membership-inference": _roc_chart,
    "mltest.extraction": _fidelity_chart,
}


def _rows(f: Finding) -> list[dict[str, str]]:
    rows = f.details.get("top_rows")
    out = []
    for r in rows[:15] if isinstance(rows, list) else []:
        if isinstance(r, dict):
            reasons = r.get("reasons")
            out.append(
                {
                    "index": str(r.get("index", "")),
                    "label": f"{_num(r.get('label_score')) or 0.0:.3f}",
                    "outlier": f"{_num(r.get('outlier_percentile')) or 0.0:.3f}",
                    "spectral": f"{_num(r.get('spectral_percentile')) or 0.0:.3f}",
                    "reasons": "; ".join(str(x) for x in reasons)
                    if isinstance(reasons, list)
                    else "",
                }
            )
    return out


def _run(report: EvidenceReport) -> dict[str, Any]:
    charts: list[Markup] = []
    rows: list[dict[str, str]] = []
    for f in report.findings:
        chart = _CHARTS.get(f.rule_id)
        if chart is not None:
            made = chart(f.details)
            if made is not None:
                charts.append(made)
        if f.rule_id == "mltest.poisoning":
            rows = _rows(f)
    s = report.summary
    split_raw, versions_raw = s.get("split"), s.get("library_versions")
    split: dict[str, Any] = split_raw if isinstance(split_raw, dict) else {}
    versions: dict[str, Any] = versions_raw if isinstance(versions_raw, dict) else {}
    return {
        "subject": report.subject,
        "seed": s.get("seed", "?"),
        "split": ", ".join(f"{k} {v}" for k, v in split.items() if k != "how"),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "findings": report.findings,
        "charts": charts,
        "rows": rows,
        "problems": "; ".join([*report.errors, *report.skipped]),
    }


def render_html(reports: Sequence[EvidenceReport]) -> Markup:
    runs = [_run(r) for r in reports if r.tool == "aisec-mltest"]
    if not runs:
        return Markup("")
    return Markup(_TMPL.render(runs=runs, classes=_CLASS))  # noqa: S704 - autoescaped template
