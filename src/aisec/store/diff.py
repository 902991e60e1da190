"""What changed between two stored assessment results: the questions a CISO asks of history.

Threats added/removed, inherent and residual band changes, control status changes, decisions
made/expired, evidence added and claims overturned by evidence. Works on the stored JSON (not on
a re-run) so an old revision reads the same after a catalogue update. Pure: dicts in, dicts out.
"""

from __future__ import annotations

from pathlib import PurePath as Path
from typing import Any

_BANDS = ["low", "medium", "high", "critical"]


def _risks(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['threat_id']}@{r['component']}": r for r in result.get("risks", [])}


def _controls(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in result.get("controls", []) if c.get("relevant", True)}


def _decisions(result: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Risk key -> (decision record, decision state) for risks that carry a decision."""
    return {
        f"{r['threat_id']}@{r['component']}": (r.get("decision"), str(r.get("decision_state", "")))
        for r in result.get("risks", [])
        if r.get("decision")
    }


def _overturned(control: dict[str, Any]) -> bool:
    """A claim evidence contradicts (result/2 `assurance`, or the older evidence outcome)."""
    if control.get("assurance") == "overturned":
        return True
    outcome = control.get("evidence_outcome") or {}
    return outcome.get("outcome") == "failed"


def _evidence(result: dict[str, Any]) -> set[str]:
    """Evidence files of a result: name and SHA-256 prefix (result/2), or the older file list."""
    files = {
        f"{Path(str(e.get('path', ''))).name} ({str(e.get('sha256', ''))[:12]})"
        for e in result.get("evidence", [])
        if isinstance(e, dict)
    }
    return files or set(result.get("evidence_files", []))


def diff_payloads(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Both arguments are stored payloads: {"result": ..., "extras": ...}."""
    a, b = old["result"], new["result"]
    ra, rb = _risks(a), _risks(b)
    band_changes = []
    for key in sorted(set(ra) & set(rb)):
        x, y = ra[key], rb[key]
        if x["inherent_band"] != y["inherent_band"] or x["residual_band"] != y["residual_band"]:
            band_changes.append(
                {
                    "risk": key,
                    "threat_name": y["threat_name"],
                    "inherent": [x["inherent_band"], y["inherent_band"]],
                    "residual": [x["residual_band"], y["residual_band"]],
                    "residual_score": [x["residual"], y["residual"]],
                    "direction": _direction(x["residual_band"], y["residual_band"]),
                }
            )
    ca, cb = _controls(a), _controls(b)
    status_changes = [
        {
            "control": cid,
            "name": cb[cid]["name"],
            "status": [ca[cid]["effective_status"], cb[cid]["effective_status"]],
        }
        for cid in sorted(set(ca) & set(cb))
        if ca[cid]["effective_status"] != cb[cid]["effective_status"]
    ]
    da, db = _decisions(a), _decisions(b)
    files_a, files_b = _evidence(a), _evidence(b)
    return {
        "threats_added": sorted(set(rb) - set(ra)),
        "threats_removed": sorted(set(ra) - set(rb)),
        "band_changes": band_changes,
        "control_status_changes": status_changes,
        "decisions_made": sorted(k for k in db if k not in da or db[k][0] != da[k][0]),
        "decisions_expired": sorted(
            k
            for k in set(da) | set(db)
            if (k not in db or db[k][1] == "expired") and (k in da and da[k][1] != "expired")
        ),
        "evidence_added": sorted(files_b - files_a),
        "evidence_removed": sorted(files_a - files_b),
        "evidence_overturned": sorted(
            cid for cid, c in cb.items() if _overturned(c) and not _overturned(ca.get(cid, {}))
        ),
        "residual_sum": [a["totals"]["residual_sum"], b["totals"]["residual_sum"]],
        "inherent_sum": [a["totals"]["inherent_sum"], b["totals"]["inherent_sum"]],
    }


def _direction(before: str, after: str) -> str:
    x, y = _BANDS.index(before), _BANDS.index(after)
    return "worse" if y > x else "better" if y < x else "same"


def _md(text: Any) -> str:
    """Escape what Markdown would interpret in a table cell or list item."""
    out = str(text)
    for ch in "\\`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out


def diff_markdown(diff: dict[str, Any], title: str) -> str:
    lines = [f"# {_md(title)}", ""]
    rs = diff["residual_sum"]
    lines.append(
        f"Residual risk total: {rs[0]} → {rs[1]} (inherent {diff['inherent_sum'][0]} → "
        f"{diff['inherent_sum'][1]})"
    )
    lines.append("")

    def section(name: str, items: list[str]) -> None:
        lines.append(f"## {name} ({len(items)})")
        lines.append("")
        lines.extend(f"- {item}" for item in items) if items else lines.append("- none")
        lines.append("")

    section("Threats added", [_md(t) for t in diff["threats_added"]])
    section("Threats removed", [_md(t) for t in diff["threats_removed"]])
    section(
        "Risk band changes",
        [
            f"{_md(c['risk'])}: inherent {c['inherent'][0]} → {c['inherent'][1]}, "
            f"residual {c['residual'][0]} → {c['residual'][1]} ({c['direction']})"
            for c in diff["band_changes"]
        ],
    )
    section(
        "Control status changes",
        [
            f"{_md(c['control'])}: {c['status'][0]} → {c['status'][1]}"
            for c in diff["control_status_changes"]
        ],
    )
    section("Decisions made", [_md(d) for d in diff["decisions_made"]])
    section("Decisions expired or withdrawn", [_md(d) for d in diff["decisions_expired"]])
    section("Evidence added", [_md(e) for e in diff["evidence_added"]])
    section("Claims overturned by evidence", [_md(c) for c in diff["evidence_overturned"]])
    return "\n".join(lines).rstrip() + "\n"
