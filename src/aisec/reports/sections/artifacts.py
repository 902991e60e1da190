"""Report section for model-artifact scans (`aisec-scan` evidence): verdict counts, the files
that are not clean with their findings, and the SHA-256 of every file examined.

A pure function of the evidence: no I/O, no clock; every string is escaped by Jinja2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from jinja2 import Environment
from markupsafe import Markup

from aisec.probes.finding import EvidenceReport, Finding, Verdict

TITLE = "Model-artifact scan"

_ORDER = ["malicious", "suspicious", "error", "not-scanned", "clean"]
_CLASS = {
    "malicious": "fail",
    "suspicious": "fail",
    "error": "warn",
    "not-scanned": "warn",
    "clean": "pass",
}
_RANK = {
    Verdict.MALICIOUS: "malicious",
    Verdict.FAIL: "suspicious",
    Verdict.SUSPICIOUS: "suspicious",
    Verdict.ERROR: "error",
    Verdict.NOT_SCANNED: "not-scanned",
    Verdict.PASS: "clean",
}

_TEMPLATE = """\
<div class="card">
<p>{{ n_files }} file(s) in {{ n_reports }} scan(s); overall verdict
<strong class="{{ classes[overall] }}">{{ overall }}</strong>.</p>
<table class="table"><thead><tr>{% for v in order %}<th>{{ v }}</th>{% endfor %}</tr></thead>
<tbody><tr>{% for v in order %}<td class="{{ classes[v] if counts[v] else 'muted' }}">
{{ counts[v] }}</td>{% endfor %}</tr></tbody></table>
{% if problems %}
<h4>Files that are not clean</h4>
<table class="table"><thead><tr><th>file</th><th>verdict</th><th>findings</th></tr></thead><tbody>
{% for path, verdict, items in problems %}<tr><td><code>{{ path }}</code></td>
<td class="{{ classes[verdict] }}">{{ verdict }}</td><td><ul>
{% for f in items %}<li><code>{{ f.rule_id }}</code> {{ f.message }}
{% if f.location != path %}<span class="muted">({{ f.location }})</span>{% endif %}</li>
{% endfor %}</ul></td></tr>
{% endfor %}</tbody></table>
{% else %}<p class="pass">Every file was fully examined and nothing was found.</p>{% endif %}
<details><summary>SHA-256 of the files examined</summary>
<table class="table"><tbody>{% for path, digest in hashes %}
<tr><td><code>{{ path }}</code></td><td><code>{{ digest }}</code></td></tr>{% endfor %}
</tbody></table></details>
</div>
"""
_ENV = Environment(autoescape=True)  # noqa: S701  (autoescape is on)


def _file_of(location: str) -> str:
    return location.partition("!")[0]


def render_html(reports: Sequence[EvidenceReport]) -> Markup:
    """Summarise every `aisec-scan` report given; others are ignored."""
    scans = [r for r in reports if r.tool == "aisec-scan"]
    per_file: dict[str, list[Finding]] = defaultdict(list)
    hashes: dict[str, str] = {}
    for report in scans:
        for path, digest in (report.summary.get("hashes") or {}).items():
            per_file.setdefault(str(path), [])
            if digest:
                hashes[str(path)] = str(digest)
        for f in report.findings:
            per_file[_file_of(f.location)].append(f)
    verdicts: dict[str, str] = {}
    for path, items in per_file.items():
        ranks = [_ORDER.index(_RANK[f.verdict]) for f in items] or [_ORDER.index("not-scanned")]
        verdicts[path] = _ORDER[min(ranks)]
    counts = {v: 0 for v in _ORDER}
    for v in verdicts.values():
        counts[v] += 1
    overall = _ORDER[min((_ORDER.index(v) for v in verdicts.values()), default=3)]
    problems = [
        (p, verdicts[p], [f for f in per_file[p] if f.verdict is not Verdict.PASS])
        for p in sorted(per_file, key=lambda p: (_ORDER.index(verdicts[p]), p))
        if verdicts[p] != "clean"
    ]
    html = _ENV.from_string(_TEMPLATE).render(
        n_files=len(per_file),
        n_reports=len(scans),
        overall=overall,
        order=_ORDER,
        classes=_CLASS,
        counts=counts,
        problems=problems,
        hashes=sorted(hashes.items()),
    )
    return Markup(html)  # noqa: S704  (rendered with autoescape)
