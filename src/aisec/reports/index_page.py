"""The portfolio page: every assessed AI system on one page, worst residual risk first.

What a CISO shows a risk committee: per system the highest inherent and residual risk, how many
risks exceed acceptance, readiness, a thumbnail residual heat map and a link to the full report.
Pure function of the results (no clock: the date shown is the latest `generated_at`).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from aisec.analysis.model import AssessmentResult
from aisec.reports import charts
from aisec.reports.environment import html_env


@dataclass(frozen=True)
class IndexRow:
    system_id: str
    href: str
    result: AssessmentResult
    strip: Markup
    thumbnail: Markup
    critical: int


def _levels(result: AssessmentResult) -> int:
    return int(result.bands.get("levels", 5))


def _row(system_id: str, result: AssessmentResult) -> IndexRow:
    levels = _levels(result)
    counts = charts.heat_counts(
        [(r.residual_likelihood, r.residual_impact) for r in result.risks], levels
    )
    t = result.totals
    return IndexRow(
        system_id=system_id,
        href=f"{system_id}.html",
        result=result,
        strip=charts.risk_strip(
            t.max_inherent,
            t.max_residual,
            levels * levels,
            result.bands,
            f"{result.system_name}: highest risk {t.max_inherent} inherent, "
            f"{t.max_residual} residual",
        ),
        thumbnail=charts.heatmap(
            counts,
            levels,
            result.bands,
            f"{result.system_name}: residual risk heat map",
            cell=12,
            axes=False,
        ),
        critical=sum(1 for r in result.risks if r.residual_band == "critical"),
    )


def render_index(items: list[tuple[str, AssessmentResult]]) -> str:
    rows = sorted(
        (_row(sid, res) for sid, res in items),
        key=lambda row: (
            -row.result.totals.max_residual,
            -row.result.totals.risks_above_acceptance,
            row.system_id,
        ),
    )
    results = [res for _, res in items]
    portfolio: dict[str, Markup] = {}
    same_scale = len({(_levels(r), tuple(sorted(r.bands.items()))) for r in results}) == 1
    if results and same_scale:
        first = results[0]
        levels = _levels(first)
        for kind, pairs in (
            ("inherent", [(k.likelihood, k.impact) for r in results for k in r.risks]),
            (
                "residual",
                [(k.residual_likelihood, k.residual_impact) for r in results for k in r.risks],
            ),
        ):
            portfolio[kind] = charts.heatmap(
                charts.heat_counts(pairs, levels),
                levels,
                first.bands,
                f"Portfolio {kind} risk heat map",
                cell=40,
            )
    latest = max((r.generated_at for r in results), default=None)
    return (
        html_env()
        .get_template("index.html.j2")
        .render(
            rows=rows,
            portfolio=portfolio,
            latest=latest,
            same_scale=same_scale,
            total_risks=sum(r.totals.risks for r in results),
            above=sum(r.totals.risks_above_acceptance for r in results),
            critical=sum(row.critical for row in rows),
        )
    )
