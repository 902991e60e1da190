"""Claims checked against the system file: a control said to be in place that the facts deny.

Each rule is a control id and a function of the system returning the contradicting fact (or
None). The warning does not change the status (the assessor may know more than the file), but it
appears in the CLI, the report and the JSON so a reviewer asks the question.
"""

from __future__ import annotations

from collections.abc import Callable

from aisec.analysis.model import CheckWarning, ControlView, WarningCode
from aisec.system.schema import AISystem, Exposure


def _no_approval(system: AISystem) -> str | None:
    if not system.tools:
        return None
    if any(t.requires_approval for t in system.tools):
        return None
    if any(getattr(o, "human_review", False) for o in system.outputs):
        return None
    names = ", ".join(t.id for t in system.tools)
    return f"every tool has requires_approval: false ({names}) and no output is human-reviewed"


def _open_interface(system: AISystem) -> str | None:
    open_ = [
        i.id for i in system.interfaces if i.exposure is Exposure.PUBLIC and not i.authenticated
    ]
    if not open_:
        return None
    return f"interface(s) {', '.join(open_)} are public and unauthenticated"


def _no_tools(system: AISystem) -> str | None:
    return None if system.tools else "the system declares no tools to allow-list"


RULES: dict[str, Callable[[AISystem], str | None]] = {
    "human-approval": _no_approval,
    "model-access-control": _open_interface,
    "tool-allow-listing": _no_tools,
}


def contradictions(system: AISystem, views: list[ControlView]) -> list[CheckWarning]:
    out = []
    for view in views:
        rule = RULES.get(view.id)
        if rule is None or not view.applicable or view.status.strength == 0:
            continue
        fact = rule(system)
        if fact:
            out.append(
                CheckWarning(
                    code=WarningCode.CLAIM_CONTRADICTS_SYSTEM,
                    subject=view.id,
                    message=f"claimed {view.status.value}, but the system file says: {fact}",
                )
            )
    return out
