"""The HTML report: one self-contained, printable file a CISO can hand to an auditor.

Pure function of a `ReportInput`: no file reads beyond the packaged templates, no clock, no
network. CSS is inline, charts are inline SVG, every user string is autoescaped by Jinja2.
Probe families contribute evidence sections (`aisec.reports.sections`), the crosswalk and AI Act
modules contribute compliance partials when they are installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from aisec.probes.finding import EvidenceReport, Verdict
from aisec.reports import charts
from aisec.reports.context import ReportInput
from aisec.reports.environment import html_env, lenient_html_env, optional_partial
from aisec.reports.view import build_view

PARTIALS = (("crosswalks", "crosswalk.html.j2"), ("obligations", "obligations.html.j2"))


@dataclass(frozen=True)
class EvidenceSummary:
    """Counts per verdict of one evidence file, for families without their own section."""

    tool: str
    subject: str
    generated_at: str
    verdicts: list[tuple[str, int]]
    errors: int
    skipped: int


def evidence_summaries(evidence: Sequence[EvidenceReport]) -> list[EvidenceSummary]:
    out = []
    for report in evidence:
        counts = Counter(f.verdict for f in report.findings)
        out.append(
            EvidenceSummary(
                tool=report.tool,
                subject=report.subject,
                generated_at=report.generated_at.isoformat(),
                verdicts=[(v.value, counts[v]) for v in Verdict if counts[v]],
                errors=len(report.errors),
                skipped=len(report.skipped),
            )
        )
    return out


def _generic_section(reports: Sequence[EvidenceReport]) -> Markup:
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            s.subject,
            s.generated_at,
            ", ".join(f"{v}: {n}" for v, n in s.verdicts) or "no findings",
            f"{s.errors} errors, {s.skipped} skipped",
        )
        for s in evidence_summaries(reports)
    )
    return Markup(
        '<table class="table"><thead><tr><th>subject</th><th>run</th><th>verdicts</th>'
        "<th>not examined</th></tr></thead><tbody>{}</tbody></table>"
    ).format(rows)


def evidence_sections(evidence: Sequence[EvidenceReport]) -> list[tuple[str, Markup]]:
    """(title, fragment) per distinct tool, in order of first appearance."""
    from aisec.reports.sections import SECTIONS

    out = []
    for tool in dict.fromkeys(r.tool for r in evidence):
        reports = [r for r in evidence if r.tool == tool]
        module = SECTIONS.get(tool)
        if module is None:
            out.append((f"Evidence from {tool}", _generic_section(reports)))
            continue
        try:
            body = Markup(module.render_html(reports))  # noqa: S704 - section contract: escaped
        except Exception as exc:  # one family's bug must not take the whole report down
            body = Markup(
                '<p class="fail">This evidence section could not be rendered: {}</p>'
            ).format(f"{type(exc).__name__}: {exc}")
        if not str(body).strip():
            body = _generic_section(reports)
        out.append((str(module.TITLE), body))
    return out


def compliance_partials(report: ReportInput) -> list[Markup]:
    context: dict[str, Any] = {
        "result": report.result,
        "report": report,
        "crosswalks": report.crosswalks,
        "obligations": report.obligations,
        "extras": report.extras,
    }
    out = []
    for key, name in PARTIALS:
        if not getattr(report, key):
            continue
        fragment = optional_partial(lenient_html_env(), name, context)
        if fragment is not None and str(fragment).strip():
            out.append(fragment)
    return out


def render_html(report: ReportInput) -> str:
    return html_env().get_template("report.html.j2").render(**html_context(report))


def html_context(report: ReportInput) -> dict[str, Any]:
    """What the report templates need; the web app's system page renders the same partials."""
    result = report.result
    view = build_view(result)
    levels = view.levels
    r = result.readiness
    figures = {
        "categories": charts.readiness_bars(r.by_category, "Readiness per control category"),
        "roles": charts.readiness_bars(r.by_role, "Readiness by role", width=460),
        "phases": charts.phase_columns(r.by_phase, "Coverage by life-cycle phase"),
        "inherent": charts.heatmap(
            view.inherent_counts, levels, result.bands, "Inherent risk heat map"
        ),
        "residual": charts.heatmap(
            view.residual_counts, levels, result.bands, "Residual risk heat map"
        ),
    }
    return {
        "r": result,
        "v": view,
        "fig": figures,
        "evidence": evidence_sections(report.evidence),
        "compliance": compliance_partials(report),
    }
