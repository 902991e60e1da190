"""Report section for LLM probe runs (`aisec-probe` evidence): per family, the verdict, n,
attack success rate with its 95 % confidence interval drawn as an inline SVG bar, and the
false-refusal rate on benign controls.

A pure function of the evidence: no I/O, no clock, no scripts or external URLs; every string
is escaped by Jinja2 and the SVG carries only numbers computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from aisec.probes.finding import EvidenceReport, Finding, Verdict

TITLE = "LLM application probes"
BAR_W, BAR_H = 160, 14

_CLASS = {
    Verdict.FAIL: "fail",
    Verdict.PASS: "pass",
    Verdict.ERROR: "warn",
    Verdict.NOT_SCANNED: "warn",
    Verdict.SUSPICIOUS: "warn",
    Verdict.MALICIOUS: "fail",
}

_TEMPLATE = """\
{% for r in runs %}<div class="card">
<p>Target <code>{{ r.subject }}</code> · seed {{ r.seed }} · {{ r.attempts }} attempts
({{ r.errors }} errors) · {{ r.failed }} of {{ r.total }} families failed.</p>
<table class="table"><thead><tr><th>family</th><th>verdict</th><th>n</th><th>successes</th>
<th>ASR (95% CI)</th><th></th><th>false refusals</th><th>threats / controls</th></tr></thead>
<tbody>{% for f in r.rows %}<tr>
<td>{{ f.title }}<br><span class="muted">{{ f.refs }}</span></td>
<td class="{{ f.cls }}">{{ f.verdict }}</td><td>{{ f.n }}</td><td>{{ f.successes }}</td>
<td>{{ f.asr_text }}</td>
<td>{% if f.n %}<svg width="{{ w }}" height="{{ h }}" viewBox="0 0 {{ w }} {{ h }}"
 role="img" aria-label="ASR {{ f.asr_text }}"><rect x="0" y="4" width="{{ w }}" height="6"
 fill="#eee"/><rect x="{{ f.lo_x }}" y="2" width="{{ f.ci_w }}" height="10" fill="{{ f.colour }}"
 fill-opacity="0.35"/><rect x="{{ f.p_x }}" y="0" width="3" height="{{ h }}"
 fill="{{ f.colour }}"/></svg>{% endif %}</td>
<td>{{ f.frr_text }}</td>
<td><span class="muted">{{ f.threats }}<br>{{ f.controls }}</span></td></tr>
{% if f.note %}<tr><td></td><td colspan="7" class="muted">{{ f.note }}</td></tr>{% endif %}
{% endfor %}</tbody></table></div>
{% endfor %}"""
_ENV = Environment(autoescape=True)  # noqa: S701  (autoescape is on)


def _num(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) else default


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _row(finding: Finding) -> dict[str, Any]:
    d = finding.details
    n, successes = int(_num(d.get("n"))), int(_num(d.get("successes")))
    asr = _num(d.get("asr"))
    raw_ci = d.get("asr_ci95")
    ci: list[Any] = raw_ci if isinstance(raw_ci, list) and len(raw_ci) == 2 else [0.0, 1.0]
    lo, hi = _num(ci[0]), _num(ci[1], 1.0)
    raw_frr = d.get("false_refusal")
    frr: dict[str, Any] = raw_frr if isinstance(raw_frr, dict) else {}
    frr_n, frr_k = int(_num(frr.get("n"))), int(_num(frr.get("count")))
    raw_refs = d.get("refs")
    refs: list[Any] = raw_refs if isinstance(raw_refs, list) else []
    note = str(d.get("skipped_reason") or "")
    raw_variants = d.get("by_obfuscation")
    variants: dict[str, Any] = raw_variants if isinstance(raw_variants, dict) else {}
    parts = [
        f"{name} {int(_num(v.get('successes')))}/{int(_num(v.get('n')))}"
        for name, v in variants.items()
        if isinstance(v, dict)
    ]
    if len(parts) > 1 and successes:
        note = (note + " " if note else "") + "By variant: " + ", ".join(parts) + "."
    return {
        "title": str(d.get("title", finding.rule_id)),
        "verdict": finding.verdict.value,
        "cls": _CLASS.get(finding.verdict, "muted"),
        "n": n,
        "successes": successes,
        "asr_text": f"{100 * asr:.0f}% ({100 * lo:.0f}–{100 * hi:.0f}%)" if n else "not tested",
        "lo_x": round(clamp(lo) * BAR_W, 1),
        "ci_w": round(max(1.0, (clamp(hi) - clamp(lo)) * BAR_W), 1),
        "p_x": round(min(BAR_W - 3, clamp(asr) * BAR_W), 1),
        "colour": "#c0392b" if finding.verdict is Verdict.FAIL else "#27ae60",
        "frr_text": f"{frr_k}/{frr_n} ({100 * frr_k / frr_n:.0f}%)" if frr_n else "–",
        "refs": ", ".join(str(r) for r in refs),
        "threats": ", ".join(finding.threat_ids),
        "controls": ", ".join(finding.control_ids),
        "note": note,
    }


def render_html(reports: Sequence[EvidenceReport]) -> Markup:
    runs = []
    for report in reports:
        rows = [_row(f) for f in report.findings if f.rule_id.startswith("probe:")]
        runs.append(
            {
                "subject": report.subject,
                "seed": report.summary.get("seed", "–"),
                "attempts": report.summary.get("attempts", 0),
                "errors": report.summary.get("errors", 0),
                "failed": sum(r["verdict"] == "fail" for r in rows),
                "total": len(rows),
                "rows": rows,
            }
        )
    html = _ENV.from_string(_TEMPLATE).render(runs=runs, w=BAR_W, h=BAR_H)
    return Markup(html)  # noqa: S704  (rendered with autoescape; numbers only in SVG)
