"""Reference lists of external frameworks (ISO, NIST, EU AI Act, ANSSI, UK code, ATLAS, OWASP).

Crosswalks and catalogue `refs` name items of other frameworks by namespaced ID
(`iso42001:2023:A.6.2.4`, `atlas:AML.T0051`...). This module loads the bundled lists of those IDs
(one YAML per framework under `data/frameworks/`) so every reference can be checked against a
complete list instead of a pattern. Each file records where its IDs come from and under which
licence; for ISO standards only IDs and our own short labels are shipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aisec.catalog.schema import REF_PATTERN
from aisec.common.errors import CatalogError
from aisec.common.yamlio import LocatedYaml, load_yaml_text, validate_located

DATA_PACKAGE = "aisec.catalog.data"

# Explicit registry: CLI name -> bundled file. A test checks every file exists and loads.
FRAMEWORK_KEYS: tuple[str, ...] = (
    "iso42001",
    "iso27001",
    "nist-ai-rmf",
    "nist-ai-600-1",
    "nist-ai-100-2",
    "eu-ai-act",
    "anssi-genai",
    "uk-ai-cop",
    "atlas",
    "owasp-llm",
    "owasp-ml",
    "owasp-agentic",
)

Title = Annotated[str, Field(min_length=1, max_length=300)]


class Shape(StrEnum):
    """What an item describes: something to do (control-shaped) or something to defend against."""

    CONTROL = "control"  # reached from aisec controls (requirements, controls, articles...)
    THREAT = "threat"  # reached from aisec threats (techniques, risks, Top-10 entries...)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FrameworkItem(_Strict):
    id: str = Field(pattern=REF_PATTERN.pattern, max_length=120)
    title: Title = Field(description="official title where free to use, else our own label")
    label_is_own: bool = Field(default=False, description="title is our paraphrase")
    group: str | None = Field(default=None, max_length=120)
    parent: str | None = Field(default=None, max_length=120)
    shape: Shape | None = Field(default=None, description="overrides the framework's shape")
    unverified: bool = Field(default=False, description="ID known only from secondary sources")
    addresses: list[str] = Field(
        default_factory=list,
        description="for mitigations: the framework's own list of items it addresses (ATLAS)",
    )
    text: str | None = Field(
        default=None,
        max_length=2000,
        description="statement text where the licence allows (NIST public domain, EU law, "
        "ANSSI open licence)",
    )
    paragraphs: str | None = Field(
        default=None, max_length=200, description="paragraph references an assessor needs"
    )


class FrameworkFile(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Title
    version: str = Field(min_length=1, max_length=40)
    namespace: str = Field(min_length=2, max_length=60, description="prefix every id starts with")
    shape: Shape
    source: Title
    licence: Title
    attribution: str | None = Field(default=None, max_length=600)
    notes: str | None = Field(default=None, max_length=2000)
    own_labels_required: bool = Field(
        default=False, description="copyrighted source: every item must carry our own label"
    )
    items: list[FrameworkItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_consistent(self) -> FrameworkFile:
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if not item.id.startswith(self.namespace):
                raise ValueError(
                    f"items[{index}]: id {item.id!r} not in namespace {self.namespace!r}"
                )
            if item.id in seen:
                raise ValueError(f"items[{index}]: duplicate id {item.id!r}")
            if self.own_labels_required and not item.label_is_own:
                raise ValueError(f"items[{index}]: {item.id!r} needs our own label (label_is_own)")
            seen.add(item.id)
        for index, item in enumerate(self.items):
            if item.parent is not None and item.parent not in seen:
                raise ValueError(f"items[{index}]: unknown parent {item.parent!r}")
        return self


@dataclass(frozen=True)
class Framework:
    """One validated reference list; `items` keeps file order."""

    key: str
    name: str
    version: str
    namespace: str
    shape: Shape
    source: str
    licence: str
    attribution: str | None
    notes: str | None
    items: MappingProxyType[str, FrameworkItem]

    def shape_of(self, item_id: str) -> Shape:
        item = self.items[item_id]
        return item.shape or self.shape

    def title_of(self, item_id: str) -> str:
        return self.items[item_id].title


def parse_framework(located: LocatedYaml, expected_key: str | None = None) -> Framework:
    """Validate one framework file; errors name file, line and field."""
    if not isinstance(located.data, dict):
        raise CatalogError("expected a mapping with key, name, items...", source=located.source)
    parsed = validate_located(FrameworkFile, located)
    if expected_key is not None and parsed.key != expected_key:
        raise CatalogError(
            f"file declares key {parsed.key!r}, expected {expected_key!r}",
            source=located.source,
            line=located.line_of(("key",)),
            field="key",
        )
    return Framework(
        key=parsed.key,
        name=parsed.name,
        version=parsed.version,
        namespace=parsed.namespace,
        shape=parsed.shape,
        source=parsed.source,
        licence=parsed.licence,
        attribution=parsed.attribution,
        notes=parsed.notes,
        items=MappingProxyType({item.id: item for item in parsed.items}),
    )


def _load_bundled(key: str) -> Framework:
    name = f"frameworks/{key}.yaml"
    text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return parse_framework(load_yaml_text(text, f"aisec/catalog/data/{name}"), expected_key=key)


@cache
def default_frameworks() -> MappingProxyType[str, Framework]:
    """Every bundled reference list, keyed by framework key, loaded once per process."""
    return MappingProxyType({key: _load_bundled(key) for key in FRAMEWORK_KEYS})


Registry = MappingProxyType[str, Framework]


def framework_of(ref: str, frameworks: Registry | None = None) -> str | None:
    """Key of the framework whose namespace `ref` starts with (longest namespace wins)."""
    registry = default_frameworks() if frameworks is None else frameworks
    best: tuple[int, str] | None = None
    for key, framework in registry.items():
        size = len(framework.namespace)
        if ref.startswith(framework.namespace) and (best is None or size > best[0]):
            best = (size, key)
    return best[1] if best else None


def known_ref(ref: str, frameworks: Registry | None = None) -> bool:
    """True if `ref` is an item of a bundled reference list."""
    registry = default_frameworks() if frameworks is None else frameworks
    key = framework_of(ref, registry)
    return key is not None and ref in registry[key].items
