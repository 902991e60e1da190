"""Excel workbook: the risk register and the statement of applicability, ready to filter.

Two sheets with a frozen header row, auto-filters and residual-band fill colours, built with
openpyxl in memory (pure: bytes out, nothing written). Text cells are neutralised like the CSV
(a leading = + - @ is prefixed with an apostrophe) so no cell is ever evaluated as a formula.
"""

from __future__ import annotations

import io
from typing import Any

from aisec.analysis.model import AssessmentResult
from aisec.reports.csv_register import COLUMNS, neutralise, register_rows

BAND_FILL = {"low": "C6EFCE", "medium": "FFEB9C", "high": "F8CBAD", "critical": "E06666"}
SOA_COLUMNS = [
    "control_id",
    "control",
    "category",
    "applicable",
    "justification / reason",
    "claimed_status",
    "effective_status",
    "assurance",
    "role",
    "supplier_provided",
    "supplier",
    "supplier_evidence",
    "owner",
    "due",
    "overdue",
    "evidence",
    "evidence_outcome",
    "mitigates",
]


def _soa_rows(result: AssessmentResult) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for v in result.controls:
        if not (v.relevant or not v.applicable):
            continue
        rows.append(
            [
                v.id,
                v.name,
                v.category.value,
                "yes" if v.applicable else "no",
                v.reason,
                v.status.value,
                v.effective_status.value,
                v.assurance.value,
                v.role.value,
                "yes" if v.supplier_provided else "no",
                v.supplier or "",
                " | ".join(v.supplier_evidence),
                v.owner or "",
                v.due.isoformat() if v.due else "",
                "yes" if v.overdue else "no",
                " | ".join(v.evidence),
                v.evidence_outcome.detail if v.evidence_outcome else "",
                " | ".join(v.mitigates),
            ]
        )
    return rows


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]]) -> Any:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append([neutralise(v) if isinstance(v, str) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
    ws.freeze_panes = "A2"
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    for index, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(
            60, max(10, len(name) + 2, *(len(str(r[index - 1])) // 2 for r in rows[:50]))
        )
    return ws


def render_xlsx(result: AssessmentResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    register = _sheet(wb, "Risk register", COLUMNS, register_rows(result))
    for name in ("inherent_band", "residual_band"):
        col = COLUMNS.index(name) + 1
        for row in register.iter_rows(min_row=2, min_col=col, max_col=col):
            fill = BAND_FILL.get(str(row[0].value))
            if fill:
                row[0].fill = PatternFill("solid", fgColor=fill)
    _sheet(wb, "Statement of applicability", SOA_COLUMNS, _soa_rows(result))
    wb.properties.title = f"AI risk register - {result.system_name}"[:250]
    wb.properties.created = result.generated_at.replace(tzinfo=None)
    wb.properties.modified = result.generated_at.replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
