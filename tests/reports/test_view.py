"""The report view: grouping and sentences shared by the HTML and Markdown reports."""

from __future__ import annotations

import pytest
from report_factory import make_result, risk

from aisec.reports.view import build_view, risk_sentence


@pytest.mark.parametrize(
    ("inherent", "residual", "phrase"),
    [
        ((5, 4), (3, 3), "down from 20 inherent"),
        ((3, 3), (3, 3), "no reduction from controls yet"),
        ((2, 2), (4, 2), "up from 4 inherent"),
    ],
)
def test_risk_sentence_direction(
    inherent: tuple[int, int], residual: tuple[int, int], phrase: str
) -> None:
    item = risk("t", "Threat", "model-a", *inherent, *residual)
    assert phrase in risk_sentence(item)


def test_system_wide_risk_reads_naturally() -> None:
    assert "across the system remains" in risk_sentence(risk("t", "Threat", "system", 2, 2, 2, 2))


def test_grouping() -> None:
    view = build_view(make_result())
    assert [g.role for g in view.role_groups] == ["vendor", "integrator", "shared"]
    # within a role, controls follow the category order (IOH before ACC)
    assert [c.id for c in view.role_groups[1].controls] == ["input-segregation", "rate-limit"]
    assert [c.id for c in view.excluded_controls] == ["train-adversarial"]
    assert [c.id for c in view.not_needed] == ["poison-robust-model"]
    assert [d.threat_id for d in view.excluded] == ["data-poisoning"]
    assert [r.risk_id for r in view.threat_rows] == ["R001", "R002", "R003"]
    assert view.threat_rows[0].cia == ["confidentiality", "integrity"]
    assert view.threat_rows[0].beyond == ["harm to individuals", "transparency"]
    assert [p.practice_id for p in view.practices] == ["zero-trust", "defence-in-depth"]
    assert len(view.top_risks) == 3


def test_rising_total_is_explained() -> None:
    from aisec.reports.context import ReportInput
    from aisec.reports.html import render_html

    base = make_result()
    totals = base.totals.model_copy(update={"inherent_sum": 10, "residual_sum": 14})
    html = render_html(ReportInput(result=base.model_copy(update={"totals": totals})))
    assert "Total risk rises from 10 to 14 points because probe evidence" in html
