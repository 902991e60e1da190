"""`aisec init`: write a starting assessment for a system from the threats that apply to it.

The file lists every control relevant to the system with its default role and the threats it
answers (as comments), all `not-implemented`, ready for the owner to fill in. Vendor-side
controls of a model the organisation neither trains nor hosts are marked supplier-provided, with
a place for the supplier's attestation. Controls that mitigate nothing applicable are listed
last, commented out, so the statement of applicability stays complete. A `decisions:` block
lists one commented treatment decision per applicable risk for the risk owner to complete.
"""

from __future__ import annotations

import json

from aisec.analysis.controls import runs_no_model_itself
from aisec.analysis.derive import derive_threats
from aisec.analysis.model import ThreatDecision
from aisec.catalog import Catalog
from aisec.catalog.schema import Control, Role
from aisec.system.schema import AISystem


def _flat(text: str) -> str:
    """One line, no control characters: user text goes into a YAML comment."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def scaffold_assessment(catalog: Catalog, system: AISystem, today: str) -> str:
    decisions = derive_threats(catalog, system)
    applicable = {d.threat_id for d in decisions if d.applicable}
    lines = [
        f"# Assessment of {_flat(system.name)} ({system.id}), scaffolded by aisec init on {today}.",
        "# status: not-implemented | planned | partial | implemented | verified",
        "# A control that does not apply needs 'applicable: false' and a justification.",
        f"system: {system.id}",
        "assessor: null",
        f"date: {today}",
        "approvers: []      # who approved this assessment (names and roles)",
        "risk:",
        "  levels: 5        # likelihood and impact scale (3-10)",
        "  acceptance: 8    # risk appetite: highest likelihood x impact the owner may accept",
        "evidence:",
        "  max_age_days: 365   # older evidence files do not count",
        "  trusted_keys: []    # PEM public keys whose signatures (EVIDENCE.json.sig) are trusted",
        "controls:",
    ]
    supplier_side = runs_no_model_itself(system)
    relevant: list[tuple[Control, list[str]]] = []
    other: list[tuple[Control, list[str]]] = []
    for control in catalog.controls.values():
        threats = [e.threat for e in control.effects if e.threat in applicable]
        (relevant if threats else other).append((control, threats))
    relevant.sort(key=lambda ct: (ct[0].category.value, ct[0].id))
    for control, threats in relevant:
        lines += [
            f"  # [{control.category.value}] {_flat(control.name)} - answers: {', '.join(threats)}",
            f"  {control.id}:",
            "    status: not-implemented",
            "    owner: null",
            f"    role: {control.role.value}",
            "    evidence: []",
        ]
        if supplier_side and control.role is Role.VENDOR:
            suppliers = sorted({m.supplier for m in system.models if m.supplier})
            lines += [
                "    supplier_provided: true   # expected from the model supplier, not our work",
                f"    supplier: {_q(', '.join(suppliers)) if suppliers else 'null'}",
                "    supplier_evidence: []     # the supplier's attestation, report or contract clause",
            ]
        else:
            lines.append("    due: null")
    if other:
        lines.append(
            "  # Controls for threats that do not apply to this system (kept for the SoA):"
        )
        for control, _ in other:
            lines.append(
                f"  # {control.id}: {{applicable: false, justification: {_q('threat not applicable')}}}"
            )
    lines += _decision_block(decisions)
    return "\n".join(lines) + "\n"


def _decision_block(decisions: list[ThreatDecision]) -> list[str]:
    """One commented decision per applicable risk: nothing is accepted until the owner says so."""
    lines = [
        "# Risk treatment decisions, one per risk (threat on a component). Without a decision a",
        "# risk is 'decision required' (above appetite) or 'awaiting owner's acceptance'.",
        "# treatment: mitigate | accept | avoid | transfer; accept needs review_by (expiry) and a",
        "# justification; accepting a threat that evidence demonstrated needs that evidence",
        "# named under 'evidence:'.",
        "decisions: []",
    ]
    for d in decisions:
        if not d.applicable:
            continue
        lines += [
            f"#  - threat: {d.threat_id}",
            f"#    component: {d.component}",
            "#    treatment: mitigate",
            "#    risk_owner: null",
            "#    decided_by: null",
            "#    decided_on: null",
            "#    review_by: null",
            "#    justification: null",
        ]
    return lines
