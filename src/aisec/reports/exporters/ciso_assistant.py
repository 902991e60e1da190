"""aisec's catalogue as a CISO Assistant library, plus mapping sets to frameworks it ships.

CISO Assistant (intuitem) loads YAML libraries whose `objects` hold threats, reference controls
and a framework of requirement nodes; mapping sets live in their own libraries that depend on
both frameworks. The format was learned from its published libraries and importer
(backend/library/utils.py); `check_library` enforces what that importer requires (fields, enum
values) and what it silently needs (unique lower-case URNs, links that resolve).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from aisec.catalog import Catalog
from aisec.catalog.crosswalk import Crosswalk, SourceKind
from aisec.catalog.schema import Category, Role
from aisec.common.errors import AisecError

REF = "aisec-ai-security"
PREFIX = "urn:aisec:risk"
LIBRARY_URN = f"{PREFIX}:library:{REF}"
FRAMEWORK_URN = f"{PREFIX}:framework:{REF}"
CATEGORIES = {"policy", "process", "technical", "physical", "procedure"}
CSF = {"govern", "identify", "protect", "detect", "respond", "recover"}
RELATIONSHIPS = {"subset", "intersect", "equal", "superset", "not_related"}
_KIND = {"governance": "policy", "process": "process", "technical": "technical"}
_CSF = {Category.GOV: "govern", Category.SUP: "identify", Category.MON: "detect"}
_GROUPS = {Role.VENDOR: ["vendor"], Role.INTEGRATOR: ["integrator"]}
_REL = {"equal": "equal", "subset": "subset", "superset": "superset", "intersects": "intersect"}

# aisec framework key -> (CISO Assistant library ref, framework ref)
TARGETS = {
    "iso27001": ("iso27001-2022", "iso27001-2022"),
    "iso42001": ("iso42001-2023", "iso42001-2023"),
    "nist-ai-rmf": ("nist-ai-rmf-1.0", "nist-ai-rmf-1.0"),
    "eu-ai-act": ("ai-act", "ai-act"),
    "anssi-genai": (
        "anssi-genai-security-recommendations-1.0",
        "anssi-genai-security-recommendations-1.0",
    ),
}


class LibraryError(AisecError):
    """The generated library breaks a rule CISO Assistant relies on (an aisec bug)."""


def _urn(kind: str, ref: str) -> str:
    return f"{PREFIX}:{kind}:{REF}:{ref.lower()}"


@cache
def _targets() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("ciso_assistant_targets.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _ai_act_nodes() -> dict[str, str]:
    nodes: dict[str, str] = _targets()["ai-act"]
    return nodes


def coarser(framework: str, item: str) -> str | None:
    """The parent CISO Assistant uses for an item its outline does not break down, if any."""
    parent: str | None = _targets()["coarser"].get(framework, {}).get(item)
    return parent


def target_urn(framework: str, target: str) -> str | None:
    """CISO Assistant's requirement URN for an aisec crosswalk target, or None if it has none."""
    library = TARGETS.get(framework)
    if library is None:
        return None
    item = target.split(":", 2)[2]  # 'iso27001:2022:A.8.28' -> 'A.8.28'
    item = coarser(framework, item) or item
    node = f"urn:intuitem:risk:req_node:{library[1]}:"
    if framework == "eu-ai-act":
        para = re.fullmatch(r"Art\.(\d+)((?:\(\w+\))+)", item)
        if para:
            return node + para.group(1) + "." + ".".join(re.findall(r"\((\w+)\)", para.group(2)))
        found = _ai_act_nodes().get(item)
        return node + found if found else None
    return node + item.lower()


def _version(catalog_version: str) -> int:
    digits = re.sub(r"\D", "", catalog_version)
    return int(digits) if digits else 1


def _header(ref: str, name: str, description: str, version: int, day: date) -> dict[str, Any]:
    return {
        "urn": f"{PREFIX}:library:{ref}",
        "locale": "en",
        "ref_id": ref,
        "name": name,
        "description": description,
        "copyright": "aisec contributors, Apache-2.0. Texts are aisec's own words; ISO/IEC "
        "standards are referenced by number only.",
        "version": version,
        "publication_date": day.isoformat(),
        "provider": "aisec",
        "packager": "aisec",
    }


def library_document(catalog: Catalog, day: date) -> dict[str, Any]:
    """Threats, reference controls and the category -> control requirement tree."""
    threats = [
        {
            "urn": _urn("threat", t.id),
            "ref_id": t.id,
            "name": t.name,
            "description": t.summary.strip(),
        }
        for t in catalog.threats.values()
    ]
    controls = [
        {
            "urn": _urn("reference_control", c.id),
            "ref_id": c.id,
            "name": c.name,
            "category": _KIND[c.kind.value],
            "csf_function": _CSF.get(c.category, "protect"),
            "description": c.summary.strip(),
            "annotation": "Evidence: " + " | ".join(c.evidence),
        }
        for c in catalog.controls.values()
    ]
    nodes: list[dict[str, Any]] = []
    for category in catalog.categories.values():
        parent = _urn("req_node", category.id.value)
        nodes.append(
            {
                "urn": parent,
                "assessable": False,
                "depth": 1,
                "ref_id": category.id.value,
                "name": category.name,
                "description": category.summary.strip(),
            }
        )
        for c in (c for c in catalog.controls.values() if c.category == category.id):
            nodes.append(
                {
                    "urn": _urn("req_node", c.id),
                    "assessable": True,
                    "depth": 2,
                    "parent_urn": parent,
                    "ref_id": c.id,
                    "name": c.name,
                    "description": c.summary.strip(),
                    "implementation_groups": _GROUPS.get(c.role, ["vendor", "integrator"]),
                    "threats": [_urn("threat", e.threat) for e in c.effects],
                    "reference_controls": [_urn("reference_control", c.id)],
                }
            )
    document = _header(
        REF,
        "aisec AI security controls (aligned with ISO/IEC 27090 guidance)",
        "AI-specific threats and controls in ten categories, with who carries each control: "
        "the vendor of a model or AI service, the integrator deploying it, or both. "
        "Alignment, not certification.",
        _version(catalog.version),
        day,
    )
    document["objects"] = {
        "threats": threats,
        "reference_controls": controls,
        "framework": {
            "urn": FRAMEWORK_URN,
            "ref_id": REF,
            "name": document["name"],
            "description": document["description"],
            "implementation_groups_definition": [
                {
                    "ref_id": "vendor",
                    "name": "Vendor",
                    "description": "Develops or markets the model or AI system.",
                },
                {
                    "ref_id": "integrator",
                    "name": "Integrator",
                    "description": "Deploys the AI system in a business context.",
                },
            ],
            "requirement_nodes": nodes,
        },
    }
    check_library(document)
    return document


def mapping_documents(
    catalog: Catalog, crosswalks: Mapping[str, Crosswalk], day: date
) -> dict[str, dict[str, Any]]:
    """One mapping library per framework CISO Assistant ships and aisec crosswalks to."""
    out: dict[str, dict[str, Any]] = {}
    for key, crosswalk in sorted(crosswalks.items()):
        if key not in TARGETS:
            continue
        library_ref, framework_ref = TARGETS[key]
        mappings = []
        done: set[tuple[str, str]] = set()
        for link in crosswalk.links:
            target = target_urn(key, link.target)
            if link.source_kind is not SourceKind.CONTROL or target is None:
                continue
            if (link.source, target) in done:
                continue
            done.add((link.source, target))
            relationship = _REL[link.rel.value]
            if coarser(key, link.target.split(":", 2)[2]):  # the parent is wider than the item
                relationship = "subset" if relationship in ("subset", "equal") else "intersect"
            mappings.append(
                {
                    "source_requirement_urn": _urn("req_node", link.source),
                    "target_requirement_urn": target,
                    "relationship": relationship,
                    "annotation": link.why,
                }
            )
        if not mappings:
            continue
        ref = f"mapping-{REF}-to-{framework_ref}"
        document = _header(
            ref,
            f"aisec AI security controls -> {framework_ref}",
            f"aisec's own crosswalk from its controls to {framework_ref} (set relations).",
            _version(catalog.version),
            day,
        )
        document["dependencies"] = [LIBRARY_URN, f"urn:intuitem:risk:library:{library_ref}"]
        document["objects"] = {
            "requirement_mapping_sets": [
                {
                    "urn": f"{PREFIX}:req_mapping_set:{ref}",
                    "ref_id": ref,
                    "name": document["name"],
                    "description": document["description"],
                    "source_framework_urn": FRAMEWORK_URN,
                    "target_framework_urn": f"urn:intuitem:risk:framework:{framework_ref}",
                    "requirement_mappings": mappings,
                }
            ]
        }
        check_library(document)
        out[ref] = document
    return out


def _need(record: Mapping[str, Any], fields: Iterable[str], where: str) -> None:
    missing = [f for f in fields if f not in record]
    if missing:
        raise LibraryError(f"{where}: missing {', '.join(missing)}")


def check_library(document: Mapping[str, Any]) -> None:
    """The rules of CISO Assistant's importer, plus URN uniqueness and resolvable links."""
    _need(document, ("urn", "locale", "ref_id", "name", "version", "objects"), "library")
    objects = document["objects"]
    seen: set[str] = set()

    def register(urn: str, where: str) -> None:
        if urn != urn.lower():
            raise LibraryError(f"{where}: URN {urn!r} must be lower case")
        if urn in seen:
            raise LibraryError(f"{where}: URN {urn!r} used twice")
        seen.add(urn)

    for t in objects.get("threats", []):
        _need(t, ("urn", "ref_id"), f"threat {t.get('ref_id')}")
        register(t["urn"], f"threat {t['ref_id']}")
    for c in objects.get("reference_controls", []):
        where = f"reference control {c.get('ref_id')}"
        _need(c, ("urn", "ref_id"), where)
        register(c["urn"], where)
        if c.get("category") not in CATEGORIES or c.get("csf_function") not in CSF:
            raise LibraryError(f"{where}: category or csf_function outside the allowed values")
    framework = objects.get("framework")
    if framework:
        _need(framework, ("urn", "ref_id"), "framework")
        groups = {g["ref_id"] for g in framework.get("implementation_groups_definition", [])}
        for node in framework.get("requirement_nodes", []):
            where = f"requirement node {node.get('ref_id')}"
            _need(node, ("urn",), where)
            register(node["urn"], where)
            if node.get("parent_urn") and node["parent_urn"] not in seen:
                raise LibraryError(f"{where}: parent {node['parent_urn']!r} not defined before it")
            for link in [*node.get("threats", []), *node.get("reference_controls", [])]:
                if link not in seen:
                    raise LibraryError(f"{where}: link {link!r} names no object of the library")
            if not set(node.get("implementation_groups", [])) <= groups:
                raise LibraryError(f"{where}: implementation group not defined")
    for mapping_set in objects.get("requirement_mapping_sets", []):
        _need(
            mapping_set,
            ("urn", "name", "source_framework_urn", "target_framework_urn"),
            "mapping set",
        )
        for n, m in enumerate(mapping_set.get("requirement_mappings", [])):
            where = f"mapping {n}"
            _need(m, ("source_requirement_urn", "target_requirement_urn", "relationship"), where)
            if m["relationship"] not in RELATIONSHIPS:
                raise LibraryError(f"{where}: relationship {m['relationship']!r} not allowed")
            if not m["source_requirement_urn"].startswith(f"{PREFIX}:req_node:{REF}:"):
                raise LibraryError(f"{where}: source is not an aisec requirement")


def to_yaml(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
