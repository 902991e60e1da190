"""Validate the guided form's answers and preview the threats they make apply.

Validation is the CLI's: the answers become YAML and go through `load_system_text`, so a system
saved from the browser is one the command line accepts. Errors are mapped back to the form
control that caused them. The preview fills the identity answers a half-finished form lacks and
leaves out items not yet complete, so threats show from the first model answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from aisec.common.errors import InputError
from aisec.service import derive_system
from aisec.system import AISystem, load_system_text
from aisec.web.pages.system_form import SECTIONS, for_preview

_INDEX = re.compile(r"\[(\d+)\]")
_REPEATS = {s.key for s in SECTIONS if s.repeat}


def field_name(loc: tuple[Any, ...] | str) -> str:
    """('models', 0, 'task') or 'models[0].task' -> the form field name 'models.0.task'."""
    if isinstance(loc, str):
        return _INDEX.sub(r".\1", loc).lstrip(".")
    return ".".join(str(p) for p in loc)


@dataclass
class Checked:
    system: AISystem | None
    errors: dict[str, str] = field(default_factory=dict)  # form field name -> message
    problems: list[str] = field(default_factory=list)  # sentences for the summary box


def _problem(name: str, message: str) -> str:
    return f"{name or 'system'}: {message}"


def check(data: Mapping[str, Any]) -> Checked:
    """Validate like `aisec assess` does: schema first, then references between components."""
    try:
        AISystem.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            name = field_name(tuple(err["loc"]))
            message = "required" if err["type"] == "missing" else err["msg"]
            errors.setdefault(name, message)
        return Checked(None, errors, [_problem(n, m) for n, m in errors.items()])
    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
    try:
        system = load_system_text(text, "form")
    except InputError as exc:
        name = field_name(exc.field or "")
        message = exc.message.split(": ", 2)[-1] if exc.field else exc.message
        return Checked(None, {name: message}, [_problem(name, message)])
    return Checked(system)


@dataclass(frozen=True)
class ThreatLine:
    threat_id: str
    threat_name: str
    component: str
    rationale: list[str]


@dataclass
class Preview:
    applicable: list[ThreatLine]
    excluded: int
    problems: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "applicable": [t.__dict__ for t in self.applicable],
            "excluded": self.excluded,
            "problems": self.problems,
        }


def _complete_models(data: dict[str, Any]) -> None:
    for index, model in enumerate(data.get("models") or []):
        model.setdefault("id", f"model-{index + 1}")
        model.setdefault("name", model["id"])
        model.setdefault("task", "unspecified")


def preview(data: Mapping[str, Any]) -> Preview:
    """Threats that apply to what has been answered so far (placeholders for the rest)."""
    strict = check(data)
    trial = for_preview(data)
    trial = {k: ([dict(i) for i in v] if k in _REPEATS else v) for k, v in trial.items()}
    _complete_models(trial)
    system = strict.system
    for _ in range(20):  # drop incomplete items one by one until the rest validates
        if system is not None:
            break
        result = check(trial)
        system = result.system
        if system is None and not _drop_incomplete(trial, result.errors):
            return Preview([], 0, strict.problems or result.problems)
    if system is None:
        return Preview([], 0, strict.problems)
    decisions = derive_system(system)
    applicable = [
        ThreatLine(d.threat_id, d.threat_name, d.component, list(d.rationale))
        for d in decisions
        if d.applicable
    ]
    excluded = len({d.threat_id for d in decisions} - {t.threat_id for t in applicable})
    return Preview(applicable, excluded, strict.problems)


def _drop_incomplete(trial: dict[str, Any], errors: Mapping[str, str]) -> bool:
    for name in errors:
        parts = name.split(".")
        if len(parts) >= 2 and parts[0] in _REPEATS and parts[1].isdigit():
            items = trial.get(parts[0]) or []
            if int(parts[1]) < len(items):
                del items[int(parts[1])]
                if not items:
                    trial.pop(parts[0])
                return True
        elif parts and parts[0] in trial and parts[0] not in ("id", "name", "owner"):
            trial.pop(parts[0])
            return True
    return False
