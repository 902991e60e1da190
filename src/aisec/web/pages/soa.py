"""The statement of applicability as an editable table, and the edits it turns into YAML.

Rows come from the stored analysis result (every relevant control with its status and who must
act); an edit changes the control's entry in the assessment YAML and nothing else, so comments
aside the file the CLI reads keeps its other content. A contributor (the vendor) may only change
rows of the role granted to them; the check is here, once, for the page and its bulk edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from aisec.analysis.model import ControlView
from aisec.system.assessment import ControlStatus

STATUSES = tuple(s.value for s in ControlStatus)
ROLES = ("vendor", "integrator", "shared")
EDITABLE = ("status", "owner", "role", "due", "evidence", "applicable", "justification")


@dataclass(frozen=True)
class SoaRow:
    control: ControlView
    editable: bool


def rows(controls: Sequence[ControlView], granted_role: str | None) -> list[SoaRow]:
    """Relevant controls first (they change risk), then the rest; editable per the role."""
    ordered = sorted(controls, key=lambda c: (not c.relevant, c.category.value, c.id))
    return [SoaRow(c, may_edit(c.role.value, granted_role)) for c in ordered]


def may_edit(control_role: str, granted_role: str | None) -> bool:
    """Everyone with write access edits all rows, a contributor only its role's (and shared)."""
    return granted_role is None or control_role in (granted_role, "shared")


class EditError(ValueError):
    """An edit the table cannot apply (names the control and the field)."""


def _first(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0].strip() if values else None


def _date(value: str, control: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EditError(f"{control}: due date {value!r} is not YYYY-MM-DD") from None


def apply_edits(
    assessment: Mapping[str, Any],
    form: Mapping[str, Sequence[str]],
    controls: Mapping[str, ControlView],
    granted_role: str | None,
) -> tuple[dict[str, Any], list[str]]:
    """The assessment data with the table's edits, and the ids of the controls changed.

    Only values that differ from what the row showed are written, so an untouched row changes
    nothing (and a contributor's save never trips over another role's rows). Bulk edit:
    `bulk.status` / `bulk.owner` / `bulk.due` apply to every ticked `sel` row.
    """
    data = dict(assessment)
    entries: dict[str, Any] = dict(data.get("controls") or {})
    selected = set(form.get("sel", ()))
    bulk = {k: _first(form, f"bulk.{k}") for k in ("status", "owner", "due")}
    changed: list[str] = []
    for control_id, view in controls.items():
        prefix = f"c.{control_id}."
        if prefix + "present" not in form and control_id not in selected:
            continue
        entry = dict(entries.get(control_id) or {})
        wanted = {k: _first(form, prefix + k) for k in EDITABLE if k != "applicable"}
        if control_id in selected:
            wanted.update({k: v for k, v in bulk.items() if v})
        shown = {
            "status": view.status.value,
            "owner": view.owner or "",
            "role": view.role.value,
            "due": view.due,
            "evidence": list(view.evidence),
            "justification": str(entry.get("justification") or ""),
        }
        updates: dict[str, Any] = {}
        if wanted["status"] is not None and wanted["status"] != shown["status"]:
            if wanted["status"] not in STATUSES:
                raise EditError(f"{control_id}: unknown status {wanted['status']!r}")
            updates["status"] = wanted["status"]
        for key in ("owner", "justification"):
            if wanted[key] is not None and wanted[key] != shown[key]:
                updates[key] = wanted[key]
        if wanted["role"] is not None and wanted["role"] != shown["role"]:
            if wanted["role"] not in ROLES:
                raise EditError(f"{control_id}: unknown role {wanted['role']!r}")
            updates["role"] = wanted["role"]
        if wanted["due"] is not None and _date(wanted["due"], control_id) != shown["due"]:
            updates["due"] = _date(wanted["due"], control_id)
        if wanted["evidence"] is not None:
            items = [e.strip() for e in wanted["evidence"].split(";") if e.strip()]
            if items != shown["evidence"]:
                updates["evidence"] = items
        if prefix + "present" in form:  # the row was on the page: an unticked box means no
            applicable = prefix + "applicable" in form
            if applicable != view.applicable:
                updates["applicable"] = applicable
        if not updates:
            continue
        if not may_edit(view.role.value, granted_role):
            raise EditError(
                f"{control_id}: a {granted_role} contributor cannot edit {view.role.value} controls"
            )
        for key, value in updates.items():
            _set(entry, key, None if key == "applicable" and value else value)
        entries[control_id] = entry
        changed.append(control_id)
    data["controls"] = entries
    return data, changed


def edited_values(
    data: Mapping[str, Any], changed: Sequence[str], controls: Mapping[str, ControlView]
) -> dict[str, list[str]]:
    """Form values of the rows a user changed (as their edit left them), to re-apply on top of
    a newer revision after a conflict; every other row then shows the newer revision."""
    entries = data.get("controls") or {}
    out: dict[str, list[str]] = {}
    for control_id in changed:
        entry, view = entries.get(control_id) or {}, controls[control_id]
        p = f"c.{control_id}."
        due = entry.get("due", view.due)
        out[p + "present"] = ["1"]
        out[p + "status"] = [str(entry.get("status", view.status.value))]
        out[p + "owner"] = [str(entry.get("owner", view.owner or ""))]
        out[p + "role"] = [str(entry.get("role", view.role.value))]
        out[p + "due"] = [due.isoformat() if isinstance(due, dt.date) else str(due or "")]
        out[p + "evidence"] = ["; ".join(entry.get("evidence", view.evidence))]
        out[p + "justification"] = [str(entry.get("justification") or "")]
        if entry.get("applicable", True):
            out[p + "applicable"] = ["1"]
    return out


def _set(entry: dict[str, Any], key: str, value: Any) -> None:
    if value in (None, "", []):
        entry.pop(key, None)
    else:
        entry[key] = value


def assessment_yaml(data: Mapping[str, Any]) -> str:
    """Assessment data as YAML in the key order of the schema (dates as ISO strings)."""
    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)
    return text
