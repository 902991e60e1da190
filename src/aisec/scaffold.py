"""`aisec init`: write a starting assessment for a system from the threats that apply to it.

The file lists every control relevant to the system with its default role and the threats it
answers (as comments), all `not-implemented`, ready for the owner to fill in. Controls that
mitigate nothing applicable are listed last, commented out, so the statement of applicability
stays complete.
"""

from __future__ import annotations

import json

from aisec.analysis.derive import derive_threats
from aisec.catalog import Catalog
from aisec.catalog.schema import Control
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
        "risk:",
        "  levels: 5        # likelihood and impact scale (3-10)",
        "  acceptance: 8    # highest acceptable likelihood x impact",
        "controls:",
    ]
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
    if other:
        lines.append(
            "  # Controls for threats that do not apply to this system (kept for the SoA):"
        )
        for control, _ in other:
            lines.append(
                f"  # {control.id}: {{applicable: false, justification: {_q('threat not applicable')}}}"
            )
    return "\n".join(lines) + "\n"
