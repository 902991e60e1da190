"""The output of every importer: a system dict, the open questions, and its YAML rendering.

The YAML is validated with the same loader as a hand-written file before it is returned, so an
import can never produce a file that `aisec assess` rejects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from aisec.system.loader import load_system_text
from aisec.system.schema import AISystem

MARK = "QUESTION"
_MARKED = re.compile(rf"^# {MARK} (Q\d+) \(([^)\n]*)\)", re.MULTILINE)


def open_questions(text: str) -> list[str]:
    """'Qn field' for every import question still marked in a system file's text: placeholders
    such as 'exposure: internal' look like answers, so `aisec assess` must say they are not."""
    return [f"{n} {path}" for n, path in _MARKED.findall(text)]


@dataclass(frozen=True)
class Question:
    """One thing the source could not say; `field` is the dotted path of the placeholder."""

    field: str
    text: str
    placeholder: str


@dataclass
class ImportedSystem:
    data: dict[str, Any]
    source: str
    questions: list[Question] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ask(self, path: str, text: str, placeholder: Any) -> Any:
        """Record a question and return the placeholder to put in the field."""
        shown = (
            placeholder
            if isinstance(placeholder, str)
            else yaml.safe_dump(placeholder, default_flow_style=True).strip()
        )
        self.questions.append(Question(path, text, shown))
        return placeholder

    @property
    def system_id(self) -> str:
        return str(self.data["id"])

    def to_yaml(self) -> str:
        """Header listing the questions, then each top-level key preceded by its questions."""
        lines = [
            f"# Imported by aisec from {self.source}.",
            f"# {len(self.questions)} open question(s): every '# {MARK} Qn' below marks a",
            "# placeholder the source could not fill. Answer it, then delete the comment.",
        ]
        lines += [f"#   Q{n} {q.field}: {q.text}" for n, q in enumerate(self.questions, 1)]
        lines += [f"# note: {n}" for n in self.notes]
        for key, value in self.data.items():
            asked = [
                (n, q)
                for n, q in enumerate(self.questions, 1)
                if q.field == key or q.field.startswith((key + ".", key + "["))
            ]
            lines.append("")
            lines += [f"# {MARK} Q{n} ({q.field}): {q.text}" for n, q in asked]
            lines.append(yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True).rstrip())
        return "\n".join(lines) + "\n"

    def validated(self) -> AISystem:
        return load_system_text(self.to_yaml(), source=f"import of {self.source}")


def ask_unknowns(imp: ImportedSystem) -> None:
    """The questions no inventory source answers: tools, outputs, augmentation."""
    imp.ask(
        "tools", "Which tools or functions can the models call, with what effects?", "none declared"
    )
    imp.ask(
        "outputs",
        "Where does model output go and how is it rendered (plain, markdown, html, "
        "structured, executed, decision)?",
        "none declared",
    )
    imp.ask(
        "augmentation",
        "Do prompts get content from stores (RAG, system prompt, memory)?",
        "none declared",
    )


def slug(text: str, fallback: str = "item") -> str:
    """An aisec id from free text: lower case, digits and single dashes, starting with a letter."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not value or not value[0].isalpha():
        value = f"{fallback}-{value}".strip("-")
    return value[:60].rstrip("-")


def unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[:55]}-{n}"
        n += 1
    taken.add(candidate)
    return candidate
