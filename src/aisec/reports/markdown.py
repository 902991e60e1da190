"""The Markdown report: the HTML report's content without charts, for tickets and wikis.

Pure function of a `ReportInput`. Every user string goes through the `md`/`cell` filters so a
pipe cannot break a table and HTML in a system description stays text when a wiki renders it.
"""

from __future__ import annotations

from aisec.reports.context import ReportInput
from aisec.reports.environment import markdown_env, optional_partial
from aisec.reports.html import evidence_summaries
from aisec.reports.view import build_view

PARTIALS = (("crosswalks", "crosswalk.md.j2"), ("obligations", "obligations.md.j2"))


def _grid(counts: dict[tuple[int, int], int], levels: int) -> list[list[str]]:
    """Rows of a text heat map, highest likelihood first; '.' for an empty cell."""
    return [
        [str(counts.get((like, imp), 0) or ".") for imp in range(1, levels + 1)]
        for like in range(levels, 0, -1)
    ]


def render_markdown(report: ReportInput) -> str:
    result = report.result
    view = build_view(result)
    context = {
        "result": result,
        "report": report,
        "crosswalks": report.crosswalks,
        "obligations": report.obligations,
        "extras": report.extras,
    }
    compliance = []
    for key, name in PARTIALS:
        if getattr(report, key):
            fragment = optional_partial(markdown_env(), name, context)
            if fragment is not None and str(fragment).strip():
                compliance.append(str(fragment))
    return (
        markdown_env()
        .get_template("report.md.j2")
        .render(
            r=result,
            v=view,
            inherent_grid=_grid(view.inherent_counts, view.levels),
            residual_grid=_grid(view.residual_counts, view.levels),
            evidence=evidence_summaries(report.evidence),
            compliance=compliance,
        )
    )
