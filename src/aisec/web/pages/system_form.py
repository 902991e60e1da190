"""The guided New-system form: which questions it asks, and how answers become system YAML.

The form is declared as data (sections of fields, each with a dotted path into the system
model), so the page, the live threat preview and the parser all agree on one list of questions.
Answers become a plain dict, the dict becomes an `AISystem` through the same validation the CLI
uses, and the system is written as canonical YAML: the same answers always give the same bytes.
Top-level keys the form does not ask about (data flows, priorities, impact beyond CIA) are kept
from the system being edited, so the form never drops what a YAML author wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml

from aisec.system.schema import (
    AiActRole,
    AISystem,
    Archetype,
    ContentSource,
    DatasetPurpose,
    Exposure,
    Host,
    ModelKind,
    ModelSource,
    OrgRole,
    Party,
    Provenance,
    Rendering,
    Sensitivity,
    StoreKind,
    ToolEffect,
)

RATINGS = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Question:
    """One form control. `path` is dotted, relative to the section's item."""

    path: str
    label: str
    kind: str = "text"  # text | textarea | select | checks | bool | list | int | rating
    options: tuple[str, ...] = ()
    help: str = ""
    required: bool = False
    default: str = ""  # preselected choice of a select (the schema's default)


@dataclass(frozen=True)
class Section:
    key: str  # top-level key of the system ('' for the system's own scalar facts)
    title: str
    intro: str
    questions: tuple[Question, ...]
    repeat: bool = False  # a list of items (models, tools...), one fieldset each
    item_label: str = ""


def _opts(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


SECTIONS: tuple[Section, ...] = (
    Section(
        "",
        "The system",
        "Name the system and who answers for it.",
        (
            Question("id", "System id", required=True, help="lower case, digits and dashes"),
            Question("name", "Name", required=True),
            Question("description", "What it does", "textarea"),
            Question("owner.name", "Owner", required=True, help="team or person accountable"),
            Question("owner.contact", "Owner contact"),
            Question(
                "organisation_role",
                "Your organisation is the",
                "select",
                _opts(OrgRole),
                default="integrator",
                help="vendor builds or sells the AI system; integrator deploys it",
            ),
            Question("archetypes", "Kind of system", "checks", _opts(Archetype), required=True),
            Question("business_impact.confidentiality", "Impact if data leaks", "rating", RATINGS),
            Question("business_impact.integrity", "Impact if output is wrong", "rating", RATINGS),
            Question("business_impact.availability", "Impact if it is down", "rating", RATINGS),
        ),
    ),
    Section(
        "models",
        "Models",
        "Each model: generative or predictive, who trains it and who hosts it.",
        (
            Question("id", "Model id", required=True),
            Question("name", "Name", required=True),
            Question("kind", "Generative or predictive", "select", _opts(ModelKind)),
            Question("task", "Task", required=True, help="e.g. text-generation, classification"),
            Question("source", "Where the model comes from", "select", _opts(ModelSource)),
            Question("supplier", "Supplier"),
            Question("trained_by", "Trained by", "select", _opts(Party)),
            Question("fine_tuned_by", "Fine-tuned by", "select", _opts(Party), default="nobody"),
            Question("hosted_by", "Hosted by", "select", _opts(Host)),
            Question("is_ip", "Its parameters are valuable intellectual property", "bool"),
            Question("outputs_confidence", "Its API returns scores or probabilities", "bool"),
            Question("training_data", "Training datasets (ids, comma-separated)", "list"),
            Question("artifacts", "Model files for aisec scan (comma-separated)", "list"),
        ),
        repeat=True,
        item_label="model",
    ),
    Section(
        "datasets",
        "Data",
        "Datasets used to train, fine-tune or evaluate, with their sensitivity and origin.",
        (
            Question("id", "Dataset id", required=True),
            Question("name", "Name", required=True),
            Question("purpose", "Purpose", "select", _opts(DatasetPurpose)),
            Question("sensitivity", "Sensitivity", "select", _opts(Sensitivity)),
            Question("provenance", "Origin", "select", _opts(Provenance)),
            Question("supplier", "Supplier"),
        ),
        repeat=True,
        item_label="dataset",
    ),
    Section(
        "interfaces",
        "Who sends input",
        "Every way input reaches a model: who can write to it and whether they sign in.",
        (
            Question("id", "Interface id", required=True),
            Question("name", "Name", required=True),
            Question("exposure", "Exposure", "select", _opts(Exposure)),
            Question("authenticated", "Users must sign in", "bool"),
            Question("users", "Who can send input (comma-separated)", "list", required=True),
            Question("models", "Models it reaches (ids, comma-separated)", "list", required=True),
        ),
        repeat=True,
        item_label="interface",
    ),
    Section(
        "augmentation",
        "Content inserted into prompts",
        "System prompts, retrieval stores and memories, and where their content comes from.",
        (
            Question("id", "Store id", required=True),
            Question("name", "Name", required=True),
            Question("kind", "Kind", "select", _opts(StoreKind)),
            Question("sensitivity", "Sensitivity", "select", _opts(Sensitivity)),
            Question("content_sources", "Content comes from", "checks", _opts(ContentSource)),
            Question("feeds", "Models it feeds (ids, comma-separated)", "list", required=True),
            Question("writable_at_runtime", "Written to while the system runs", "bool"),
        ),
        repeat=True,
        item_label="store",
    ),
    Section(
        "tools",
        "Tools and their effects",
        "Functions a model can call, and what they can do in the world.",
        (
            Question("id", "Tool id", required=True),
            Question("name", "Name", required=True),
            Question("description", "What it does", "textarea"),
            Question("effects", "Effects", "checks", _opts(ToolEffect), required=True),
            Question("permissions", "Permissions (comma-separated)", "list"),
            Question("reaches_sensitive_data", "Reaches sensitive data", "bool"),
            Question("returns_untrusted_content", "Returns untrusted content", "bool"),
            Question("requires_approval", "A person approves each call", "bool"),
            Question(
                "used_by", "Models that call it (ids, comma-separated)", "list", required=True
            ),
        ),
        repeat=True,
        item_label="tool",
    ),
    Section(
        "outputs",
        "Where output goes",
        "How each output is rendered or used downstream.",
        (
            Question("id", "Output id", required=True),
            Question("name", "Name", required=True),
            Question("rendering", "Rendered as", "select", _opts(Rendering)),
            Question("models", "Models producing it (ids, comma-separated)", "list", required=True),
            Question("downstream", "Who or what consumes it"),
        ),
        repeat=True,
        item_label="output",
    ),
    Section(
        "continuous_learning",
        "Continuous learning",
        "Does the system keep learning from what it sees in production?",
        (
            Question("enabled", "Learns continuously in production", "bool"),
            Question("sources", "Learns from", "checks", _opts(ContentSource)),
            Question("models", "Models that learn (ids, comma-separated)", "list"),
        ),
    ),
    Section(
        "regulatory",
        "Regulatory facts",
        "Facts that decide EU AI Act duties (guidance, not legal advice).",
        (
            Question(
                "eu_ai_act_role",
                "EU AI Act role",
                "select",
                _opts(AiActRole),
                default="not-in-scope",
            ),
            Question("annex_iii_area", "Annex III high-risk area key", help="e.g. employment"),
            Question("safety_component", "Safety component of an Annex I product", "bool"),
            Question("general_purpose_model", "General-purpose AI model", "bool"),
            Question("systemic_risk_gpai", "General-purpose model with systemic risk", "bool"),
            Question("public_body_or_public_service", "Public body or public service", "bool"),
            Question("interacts_with_people", "Interacts directly with people", "bool"),
            Question("generates_synthetic_content", "Generates synthetic content", "bool"),
        ),
    ),
)

FORM_KEYS = frozenset(
    {q.path.split(".")[0] for s in SECTIONS if not s.key for q in s.questions}
    | {s.key for s in SECTIONS if s.key}
)
PLACEHOLDERS: dict[str, Any] = {
    "id": "new-system",
    "name": "New system",
    "owner": {"name": "to be named"},
    "organisation_role": OrgRole.INTEGRATOR.value,
}


def _get(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _read(q: Question, form: Mapping[str, Sequence[str]], name: str) -> tuple[bool, Any]:
    """(answered, value) of one question; an unanswered question is left out of the YAML."""
    values = [v for v in form.get(name, ()) if isinstance(v, str)]
    first = values[0].strip() if values else ""
    if q.kind == "bool":
        return True, first in ("true", "on", "1")  # an unticked box is an answer: no
    if q.kind == "checks":
        picked = [v for v in values if v in q.options]
        return bool(picked), picked
    if q.kind == "list":
        items = [part.strip() for v in values for part in v.split(",") if part.strip()]
        return bool(items), items
    if q.kind == "rating":
        return first in RATINGS, int(first) if first in RATINGS else None
    if q.kind == "textarea":
        text = values[0].replace("\r\n", "\n") if values else ""
        return bool(text.strip()), text
    return bool(first), first


def _item(
    section: Section,
    form: Mapping[str, Sequence[str]],
    prefix: str,
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The answers of one item over what its YAML had beyond the form's questions."""
    asked = {q.path.split(".")[0] for q in section.questions}
    item: dict[str, Any] = {k: v for k, v in (base or {}).items() if k not in asked}
    for q in section.questions:
        answered, value = _read(q, form, prefix + q.path)
        if answered:
            _put(item, q.path, value)
    return item


def _is_blank(section: Section, item: Mapping[str, Any]) -> bool:
    """A repeat row whose free-text answers are all empty is the spare row, not an item."""
    texts = [q.path for q in section.questions if q.kind in ("text", "textarea", "list")]
    return not any(_get(item, p) for p in texts)


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip() if isinstance(values[0], str) else ""


def rows_in(form: Mapping[str, Sequence[str]], key: str) -> list[int]:
    found = {int(name.split(".")[1]) for name in form if _row_key(name, key)}
    return sorted(found)


def _row_key(name: str, key: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 3 and parts[0] == key and parts[1].isdigit() and len(parts[1]) < 4


def form_to_data(
    form: Mapping[str, Sequence[str]], base: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The system as plain data: the form's answers over the keys the form does not ask."""
    base = base or {}
    data: dict[str, Any] = {k: v for k, v in base.items() if k not in FORM_KEYS}
    answers: dict[str, Any] = {}
    for section in SECTIONS:
        if not section.key:
            answers.update(_item(section, form, ""))
        elif section.repeat:
            by_id = {i.get("id"): i for i in base.get(section.key) or [] if isinstance(i, Mapping)}
            items = []
            for index in rows_in(form, section.key):
                prefix = f"{section.key}.{index}."
                if form.get(prefix + "_remove"):
                    continue
                old = by_id.get(_first(form, prefix + "_was")) or by_id.get(
                    _first(form, prefix + "id")
                )
                item = _item(section, form, prefix, old)
                if not _is_blank(section, item):
                    items.append(item)
            if items:
                answers[section.key] = items
        else:
            old_item = base.get(section.key)
            item = _item(
                section,
                form,
                section.key + ".",
                old_item if isinstance(old_item, Mapping) else None,
            )
            if item:
                answers[section.key] = item
    order = [k for k in AISystem.model_fields if k in answers or k in data]
    merged = {**data, **answers}
    return {k: merged[k] for k in order} | {k: v for k, v in merged.items() if k not in order}


def data_to_form(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The inverse of `form_to_data`: field name -> submitted values, to refill the form."""
    out: dict[str, list[str]] = {}

    def fill(section: Section, item: Mapping[str, Any], prefix: str) -> None:
        for q in section.questions:
            value = _get(item, q.path)
            if value is None:
                continue
            if q.kind == "bool":
                out[prefix + q.path] = ["true"] if value is True else []
            elif q.kind == "checks":
                out[prefix + q.path] = [str(v) for v in value] if isinstance(value, list) else []
            elif q.kind == "list":
                out[prefix + q.path] = [", ".join(str(v) for v in value)] if value else []
            else:
                out[prefix + q.path] = [str(value)]

    for section in SECTIONS:
        if not section.key:
            fill(section, data, "")
        elif section.repeat:
            for index, item in enumerate(data.get(section.key) or []):
                if isinstance(item, Mapping):
                    fill(section, item, f"{section.key}.{index}.")
                    out[f"{section.key}.{index}._was"] = [str(item.get("id", ""))]
        elif isinstance(data.get(section.key), Mapping):
            fill(section, data[section.key], section.key + ".")
    return out


def for_preview(data: Mapping[str, Any]) -> dict[str, Any]:
    """Fill the identity answers a half-finished form lacks, so threats can already be derived."""
    filled = dict(data)
    for key, value in PLACEHOLDERS.items():
        filled.setdefault(key, value)
    filled.setdefault("archetypes", [Archetype.ASSISTANT.value])
    filled.setdefault("business_impact", {})
    filled["business_impact"] = {
        "confidentiality": 3,
        "integrity": 3,
        "availability": 3,
        **filled["business_impact"],
    }
    return filled


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key: how the bundled examples are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a literal block (readable, and it loads back to the same string)."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def system_yaml(system: AISystem) -> str:
    """Canonical YAML of a system: field order of the schema, defaults left out. Stable: the
    YAML of a system loaded from canonical YAML is the same bytes."""
    data = system.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return f"# AI system description written by the aisec web app.\n{text}"


def form_sections() -> Sequence[Section]:
    return SECTIONS


@dataclass
class FieldError:
    """A validation problem mapped back to the form control that caused it."""

    name: str
    message: str
    line: int | None = None
    extra: list[str] = field(default_factory=list)
