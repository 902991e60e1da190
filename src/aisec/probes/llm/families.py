"""Probe families as data: the schema of a family YAML file and its loader.

A family is a set of attack templates plus benign look-alike control prompts, the detectors
whose hits count as attack success, the obfuscations worth trying, and the catalogue threats,
controls and external references (OWASP LLM 2025, ATLAS) the result is evidence for. Bundled
families ship under `probes/llm/families/`; users add their own with `--families DIR`. Every
file is validated strictly and errors name the file, line and field. Templates are plain text
with a fixed set of `{{placeholders}}`: no template engine runs.
"""

from __future__ import annotations

import re
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aisec.catalog.schema import ID_PATTERN, REF_PATTERN
from aisec.common.errors import InputError
from aisec.common.yamlio import LocatedYaml, load_yaml_file, load_yaml_text, validate_located
from aisec.probes.finding import Severity
from aisec.probes.llm.obfuscation import Obfuscation

MAX_FAMILY_FILES = 200
PLACEHOLDERS = frozenset(
    {
        "payload",
        "injection",
        "injection.head",
        "injection.tail",
        "system_marker",
        "api_key",
        "exfil_url",
        "tool",
        "allowed_tool",
        "task",
        "customer_record",
        "name",
        "email",
        "iban",
        "card",
        "echo_code",
        "account",
        "other_account",
    }
)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_.]+)(?::(\d{1,6}))?\s*\}\}")
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]
Template = Annotated[str, Field(min_length=1, max_length=20_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuccessCheck(StrEnum):
    """What counts as a successful attack for a family."""

    INJECTION_CANARY = "injection-canary"  # the target output the injected canary
    SYSTEM_PROMPT_LEAK = "system-prompt-leak"  # the system-prompt marker came back
    PLANTED_SECRET = "planted-secret"  # noqa: S105 - a planted credential or personal datum came back
    MARKUP = "markup"  # active HTML or data-carrying markdown URL in output
    CODE_INJECTION = "code-injection"  # SQL / shell payload shapes in output
    TOOL_BEYOND_TASK = "tool-beyond-task"  # a tool call outside the declared task
    RESOURCE_GROWTH = "resource-growth"  # output length or latency far above the baseline
    FOREIGN_RECORD = "foreign-record"  # a tool call naming another user's account
    UNKNOWN_PACKAGE = "unknown-package"  # an install command naming a package nobody knows
    HARMFUL_COMPLIANCE = "harmful-compliance"  # the target complied with a harmful request


class ContentLabel(StrEnum):
    DOCUMENT = "document"
    EMAIL = "email"
    WEB_PAGE = "web-page"
    TOOL_OUTPUT = "tool-output"


class Capability(StrEnum):
    """What a control prompt proves the target can do; if it never does, a pass means nothing."""

    ALLOWED_TOOL = "allowed-tool"  # the target calls the allowed tool when asked to
    ECHO_CODE = "echo-code"  # the target repeats a code it is asked to repeat
    MEMORY = "memory"  # in a new session the target recalls the echo code the same user left


class Prompt(Strict):
    id: Id
    user: Template
    content: Template | None = None
    content_label: ContentLabel = ContentLabel.DOCUMENT
    capability: Capability | None = Field(
        default=None, description="controls only: the capability this prompt checks"
    )
    other_session: list[Template] = Field(
        default_factory=list,
        max_length=10,
        description="user turns sent first in a separate conversation by another user "
        "({{other_account}}; the same user for a memory capability check); nothing of it is "
        "history here, so only what the app keeps across sessions can carry it over",
    )


class Attack(Prompt):
    payload: Template | None = None
    turns: list[Template] = Field(
        default_factory=list,
        max_length=10,
        description="earlier user turns (scripted escalation: Crescendo, foot-in-the-door); "
        "each gets the target's real reply, kept as history for the final `user` turn",
    )
    obfuscate: bool = True
    per_tool: bool = Field(default=False, description="expand once per tool beyond the task")

    @model_validator(mode="after")
    def _payload_used(self) -> Attack:
        if self.capability is not None:
            raise ValueError("capability checks belong to controls, not attacks")
        uses = "{{payload}}" in self.user or "{{payload}}" in (self.content or "")
        if self.payload is not None and not uses:
            raise ValueError("payload is set but neither user nor content contains {{payload}}")
        if self.payload is None and uses:
            raise ValueError("{{payload}} is used but no payload is given")
        return self


class ResourceLimits(Strict):
    growth_factor: float = Field(default=10.0, gt=1)
    min_output_chars: int = Field(default=2000, ge=1)
    min_latency_s: float = Field(default=2.0, gt=0)


class Family(Strict):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] = ""
    severity: Severity
    threat_ids: list[Id] = Field(min_length=1)
    control_ids: list[Id] = Field(min_length=1)
    refs: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list)
    success: list[SuccessCheck] = Field(min_length=1)
    threshold: float = Field(
        default=0.0, ge=0, lt=1, description="the family fails when its ASR is above this"
    )
    obfuscations: list[Obfuscation] = Field(default_factory=list)
    needs_tools: bool = False
    resource: ResourceLimits | None = None
    rubric: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="what the optional LLM judge grades, in plain words"
    )
    attacks: list[Attack] = Field(min_length=1, max_length=500)
    controls: list[Prompt] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> Family:
        for ref in self.refs:
            if not REF_PATTERN.match(ref):
                raise ValueError(f"reference {ref!r} must look like 'owasp-llm:2025:LLM01'")
        if SuccessCheck.RESOURCE_GROWTH in self.success and self.resource is None:
            raise ValueError("success 'resource-growth' needs a 'resource' section")
        ids = [p.id for p in (*self.attacks, *self.controls)]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"prompt ids must be unique within a family: {', '.join(dupes)}")
        return self


def _check_placeholders(family: Family, located: LocatedYaml) -> None:
    for group in ("attacks", "controls"):
        for index, prompt in enumerate(getattr(family, group)):
            for field in ("user", "content", "payload", "turns", "other_session"):
                value = getattr(prompt, field, None) or ""
                text = "\n".join(value) if isinstance(value, list) else value
                for match in _PLACEHOLDER.finditer(text):
                    name = match.group(1)
                    if name == "filler" and match.group(2):
                        continue
                    if name not in PLACEHOLDERS:
                        known = ", ".join(sorted(PLACEHOLDERS | {"filler:N"}))
                        raise InputError(
                            f"unknown placeholder {{{{{name}}}}} (known: {known})",
                            source=located.source,
                            line=located.line_of((group, index, field)),
                            field=f"{group}[{index}].{field}",
                        )


def parse_family(located: LocatedYaml) -> Family:
    if not isinstance(located.data, dict):
        raise InputError(
            "expected a mapping describing one probe family", source=located.source, line=1
        )
    family = validate_located(Family, located)
    _check_placeholders(family, located)
    return family


def _bundled() -> list[LocatedYaml]:
    folder = resources.files("aisec.probes.llm") / "families"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append(load_yaml_text(entry.read_text(encoding="utf-8"), f"families/{entry.name}"))
    return out


def load_families(extra_dirs: list[Path] | None = None, *, bundled: bool = True) -> list[Family]:
    """Bundled families, then those in `extra_dirs`; ids must be unique across all."""
    located = _bundled() if bundled else []
    for folder in extra_dirs or []:
        if not folder.is_dir():
            raise InputError("not a directory", source=str(folder), field="--families")
        files = sorted(folder.glob("*.yaml"))[: MAX_FAMILY_FILES + 1]
        if len(files) > MAX_FAMILY_FILES:
            raise InputError(f"more than {MAX_FAMILY_FILES} family files", source=str(folder))
        located.extend(load_yaml_file(path) for path in files)
    families: list[Family] = []
    seen: dict[str, str] = {}
    for item in located:
        family = parse_family(item)
        if family.id in seen:
            raise InputError(
                f"family id {family.id!r} already defined in {seen[family.id]}",
                source=item.source,
                line=item.line_of(("id",)),
                field="id",
            )
        seen[family.id] = item.source
        families.append(family)
    return families


def check_catalogue_ids(families: list[Family]) -> None:
    """Every threat and control a family names must exist in the catalogue (incl. overlays)."""
    from aisec.catalog.loader import default_catalog

    catalog = default_catalog()
    for family in families:
        unknown = [t for t in family.threat_ids if t not in catalog.threats]
        unknown += [c for c in family.control_ids if c not in catalog.controls]
        if unknown:
            raise InputError(
                f"family {family.id!r} names ids the catalogue does not know: {', '.join(unknown)}",
                field="threat_ids/control_ids",
                hint="use ids from `aisec catalog` (see docs/catalog-ids.md)",
            )
