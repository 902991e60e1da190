"""Crosswalks: how aisec's controls and threats relate to the items of other frameworks.

One YAML per framework under `data/crosswalks/`. Control-shaped items (ISO controls, AI RMF
subcategories, AI Act articles, ATLAS mitigations...) are linked from aisec controls;
threat-shaped items (ATLAS techniques, OWASP Top-10 entries, AI 600-1 risks, AI 100-2 classes)
from aisec threats. Every link carries a NIST OLIR-style relationship and a one-line rationale in
our words; an item a framework has but 27090-style security work does not address can be marked
`outside_scope` with the reason. Loading checks every ID against the reference lists and, when
given, against the catalogue, and fails with file, line and field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

from aisec.catalog.frameworks import (
    DATA_PACKAGE,
    FRAMEWORK_KEYS,
    Framework,
    Registry,
    Shape,
    default_frameworks,
    framework_of,
)
from aisec.catalog.schema import ID_PATTERN
from aisec.common.errors import CatalogError
from aisec.common.yamlio import LocatedYaml, load_yaml_text, validate_located

if TYPE_CHECKING:
    from aisec.catalog.loader import Catalog


class Relationship(StrEnum):
    """Set relation between an aisec record (source) and a framework item (target), as in OLIR."""

    EQUAL = "equal"  # same scope
    SUBSET = "subset"  # the aisec record covers part of the item
    SUPERSET = "superset"  # the aisec record covers all of the item, and more
    INTERSECTS = "intersects"  # they overlap; neither contains the other

    @property
    def covers_item(self) -> bool:
        """True if implementing the source alone addresses the whole item."""
        return self in (Relationship.EQUAL, Relationship.SUPERSET)


class SourceKind(StrEnum):
    CONTROL = "control"
    THREAT = "threat"


Why = Annotated[str, Field(min_length=8, max_length=300)]
SourceId = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinkSpec(_Strict):
    to: str = Field(min_length=3, max_length=120)
    rel: Relationship
    why: Why


class OutsideSpec(_Strict):
    item: str = Field(min_length=3, max_length=120)
    why: Why


class CrosswalkFile(_Strict):
    framework: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    notes: str | None = Field(default=None, max_length=2000)
    controls: dict[SourceId, list[LinkSpec]] = Field(default_factory=dict)
    threats: dict[SourceId, list[LinkSpec]] = Field(default_factory=dict)
    outside_scope: list[OutsideSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Link:
    source: str
    source_kind: SourceKind
    target: str
    rel: Relationship
    why: str


@dataclass(frozen=True)
class Crosswalk:
    """Validated links from aisec to one framework."""

    framework: str
    links: tuple[Link, ...]
    outside_scope: Mapping[str, str]

    def for_source(self, source: str, kind: SourceKind | None = None) -> tuple[Link, ...]:
        return self._by_source.get((source, kind), ())

    def for_target(self, target: str, kind: SourceKind | None = None) -> tuple[Link, ...]:
        return self._by_target.get((target, kind), ())

    @cached_property
    def _by_source(self) -> dict[tuple[str, SourceKind | None], tuple[Link, ...]]:
        """Links per (source, kind) and per (source, None), in file order: built once, since
        coverage asks for thousands of them per system and the links never change."""
        return _index(self.links, lambda link: link.source)

    @cached_property
    def _by_target(self) -> dict[tuple[str, SourceKind | None], tuple[Link, ...]]:
        return _index(self.links, lambda link: link.target)


def _index(
    links: Iterable[Link], key: Callable[[Link], str]
) -> dict[tuple[str, SourceKind | None], tuple[Link, ...]]:
    groups: dict[tuple[str, SourceKind | None], list[Link]] = {}
    for link in links:
        groups.setdefault((key(link), link.source_kind), []).append(link)
        groups.setdefault((key(link), None), []).append(link)
    return {k: tuple(v) for k, v in groups.items()}


CrosswalkSet = Mapping[str, Crosswalk]


def _fail(located: LocatedYaml, path: tuple[str | int, ...], message: str) -> CatalogError:
    field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
    return CatalogError(message, source=located.source, line=located.line_of(path), field=field)


def parse_crosswalk(
    located: LocatedYaml,
    frameworks: Registry,
    *,
    control_ids: Iterable[str] | None = None,
    threat_ids: Iterable[str] | None = None,
    expected_key: str | None = None,
) -> Crosswalk:
    """Validate one crosswalk file against the reference lists (and the catalogue, if given)."""
    if not isinstance(located.data, dict):
        raise CatalogError("expected a mapping with 'framework' and links", source=located.source)
    spec = validate_located(CrosswalkFile, located)
    if spec.framework not in frameworks or (expected_key and spec.framework != expected_key):
        raise _fail(located, ("framework",), f"unknown or unexpected framework {spec.framework!r}")
    framework = frameworks[spec.framework]
    known = {SourceKind.CONTROL: control_ids, SourceKind.THREAT: threat_ids}
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for kind, key, table in (
        (SourceKind.CONTROL, "controls", spec.controls),
        (SourceKind.THREAT, "threats", spec.threats),
    ):
        ids = None if known[kind] is None else set(known[kind] or ())
        for source, specs in table.items():
            if ids is not None and source not in ids:
                raise _fail(located, (key, source), f"unknown {kind.value} {source!r}")
            for index, link in enumerate(specs):
                where = (key, source, index, "to")
                _check_target(located, where, framework, link.to, kind)
                if (source, link.to) in seen:
                    raise _fail(located, where, f"{source!r} -> {link.to!r} listed twice")
                seen.add((source, link.to))
                links.append(Link(source, kind, link.to, link.rel, link.why))
    outside: dict[str, str] = {}
    reached = {link.target for link in links}
    for index, entry in enumerate(spec.outside_scope):
        spot: tuple[str | int, ...] = ("outside_scope", index, "item")
        if entry.item not in framework.items:
            raise _fail(located, spot, f"unknown {framework.key} item {entry.item!r}")
        if entry.item in reached or entry.item in outside:
            raise _fail(located, spot, f"{entry.item!r} is linked or listed twice")
        outside[entry.item] = entry.why
    return Crosswalk(framework=framework.key, links=tuple(links), outside_scope=outside)


def _check_target(
    located: LocatedYaml,
    where: tuple[str | int, ...],
    framework: Framework,
    target: str,
    kind: SourceKind,
) -> None:
    if target not in framework.items:
        raise _fail(located, where, f"unknown {framework.key} item {target!r}")
    shape = framework.shape_of(target)
    wanted = Shape.CONTROL if kind is SourceKind.CONTROL else Shape.THREAT
    if shape is not wanted:
        raise _fail(
            located,
            where,
            f"{target!r} is {shape.value}-shaped; link it from a {shape.value}, not a {kind.value}",
        )


def load_crosswalks(
    *,
    frameworks: Registry | None = None,
    control_ids: Iterable[str] | None = None,
    threat_ids: Iterable[str] | None = None,
) -> dict[str, Crosswalk]:
    """Load every bundled crosswalk; pass catalogue IDs to check link sources too."""
    registry = default_frameworks() if frameworks is None else frameworks
    controls = None if control_ids is None else tuple(control_ids)
    threats = None if threat_ids is None else tuple(threat_ids)
    out: dict[str, Crosswalk] = {}
    for key in FRAMEWORK_KEYS:
        name = f"crosswalks/{key}.yaml"
        text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
        located = load_yaml_text(text, f"aisec/catalog/data/{name}")
        out[key] = parse_crosswalk(
            located, registry, control_ids=controls, threat_ids=threats, expected_key=key
        )
    return out


@cache
def default_crosswalks() -> Mapping[str, Crosswalk]:
    """Bundled crosswalks checked against the bundled catalogue, loaded once per process."""
    from aisec.catalog.loader import default_catalog

    catalog = default_catalog()
    return load_crosswalks(control_ids=catalog.controls, threat_ids=catalog.threats)


def ref_disagreements(
    threat_refs: Mapping[str, Iterable[str]],
    control_refs: Mapping[str, Iterable[str]],
    crosswalks: Mapping[str, Crosswalk],
    frameworks: Registry | None = None,
) -> list[str]:
    """Where the catalogue's `refs` and the crosswalk data disagree (empty list: they agree).

    Every ref must name an item of a reference list. For each framework the catalogue's threats
    reference at all, the threat links of the crosswalk must be exactly the threat refs (so a
    link always has a relationship and rationale, and a ref is never dropped). Control refs
    must each appear as a control link; crosswalks may hold more control links than refs.
    """
    registry = default_frameworks() if frameworks is None else frameworks
    problems: list[str] = []
    by_framework: dict[str, set[tuple[str, str]]] = {}
    for source, refs in threat_refs.items():
        for ref in refs:
            key = framework_of(ref, registry)
            if key is None or ref not in registry[key].items:
                problems.append(f"threat {source}: unknown reference {ref!r}")
                continue
            by_framework.setdefault(key, set()).add((source, ref))
    for key, pairs in sorted(by_framework.items()):
        linked = {
            (link.source, link.target)
            for link in crosswalks[key].links
            if link.source_kind is SourceKind.THREAT
        }
        for source, ref in sorted(pairs - linked):
            problems.append(f"threat {source}: ref {ref!r} has no crosswalk link in {key}")
        for source, ref in sorted(linked - pairs):
            problems.append(f"threat {source}: crosswalk {key} links {ref!r} missing from refs")
    for source, refs in control_refs.items():
        for ref in refs:
            key = framework_of(ref, registry)
            if key is None or ref not in registry[key].items:
                problems.append(f"control {source}: unknown reference {ref!r}")
            elif ref not in {
                link.target for link in crosswalks[key].for_source(source, SourceKind.CONTROL)
            }:
                problems.append(f"control {source}: ref {ref!r} has no crosswalk link in {key}")
    return problems


def unaccounted(framework: Framework, crosswalk: Crosswalk) -> list[str]:
    """Items of a reference list neither linked nor listed out of scope with a reason.

    Every item counts on its own, sub-items (ATLAS sub-techniques) included, so the coverage
    view and this rule always agree.
    """
    done = {link.target for link in crosswalk.links} | set(crosswalk.outside_scope)
    return [item_id for item_id in framework.items if item_id not in done]


def completeness_problems(
    crosswalks: Mapping[str, Crosswalk], frameworks: Registry | None = None
) -> list[str]:
    """The completeness rule: every item of every framework list is linked or out of scope."""
    registry = default_frameworks() if frameworks is None else frameworks
    problems = []
    for key, framework in registry.items():
        if key not in crosswalks:
            problems.append(f"{key}: no crosswalk file")
            continue
        for item in unaccounted(framework, crosswalks[key]):
            problems.append(
                f"{key}: {item} ({framework.title_of(item)}) is neither linked nor listed "
                "under outside_scope with a reason"
            )
    return problems


def mitigation_problems(
    crosswalks: Mapping[str, Crosswalk],
    control_threats: Mapping[str, Iterable[str]],
    frameworks: Registry | None = None,
) -> list[str]:
    """Control -> mitigation links that the framework's own relations do not support.

    For a framework whose mitigations list the techniques they address (ATLAS), a link from an
    aisec control to a mitigation is consistent when one threat the control acts on links to a
    technique (or its parent or sub-technique) that the mitigation addresses.
    """
    registry = default_frameworks() if frameworks is None else frameworks
    problems = []
    for key, crosswalk in crosswalks.items():
        framework = registry[key]
        if not any(item.addresses for item in framework.items.values()):
            continue
        family: dict[str, set[str]] = {}
        for item_id, item in framework.items.items():
            family.setdefault(item_id, set()).add(item_id)
            if item.parent:
                family[item_id].add(item.parent)
                family.setdefault(item.parent, {item.parent}).add(item_id)
        techniques: dict[str, set[str]] = {}
        for link in crosswalk.links:
            if link.source_kind is SourceKind.THREAT:
                techniques.setdefault(link.source, set()).update(family.get(link.target, ()))
        for link in crosswalk.links:
            if link.source_kind is not SourceKind.CONTROL:
                continue
            addressed = set(framework.items[link.target].addresses)
            if not addressed:
                continue
            reached = set().union(
                *(techniques.get(t, set()) for t in control_threats.get(link.source, ()))
            )
            if not reached & addressed:
                problems.append(
                    f"{key}: control {link.source} -> {link.target}: none of the control's "
                    "threats links a technique this mitigation addresses"
                )
    return problems


def crosswalk_problems(catalog: Catalog) -> list[str]:
    """Everything `aisec catalog validate` checks about the crosswalks.

    The bundled crosswalks are checked against the bundled catalogue (refs agree, every framework
    item accounted for, ATLAS relations respected). Records an overlay adds or replaces are not in
    the bundled crosswalks, so for them only their refs are checked: each must name a real item.
    """
    from aisec.catalog.loader import default_catalog

    bundled = default_catalog()
    crosswalks = default_crosswalks()
    problems = ref_disagreements(
        {t.id: t.refs for t in bundled.threats.values()},
        {c.id: c.refs for c in bundled.controls.values()},
        crosswalks,
    )
    problems += completeness_problems(crosswalks)
    problems += mitigation_problems(
        crosswalks, {c.id: [e.threat for e in c.effects] for c in bundled.controls.values()}
    )
    registry = default_frameworks()
    for kind, records, originals in (
        ("threat", catalog.threats, bundled.threats),
        ("control", catalog.controls, bundled.controls),
    ):
        for record_id, record in records.items():
            if originals.get(record_id) == record:
                continue
            for ref in record.refs:
                key = framework_of(ref, registry)
                if key is None or ref not in registry[key].items:
                    problems.append(f"overlay {kind} {record_id}: unknown reference {ref!r}")
    return problems
