"""CycloneDX 1.6/1.7 ML-BOM -> aisec system description.

The BOM is checked against CycloneDX's own JSON schema and read by cyclonedx-python-lib
(`cyclonedx_validate`). Components of type `machine-learning-model` become models, `data`
components become datasets, services become interfaces, dependencies become data flows. The
library does not model `modelCard` yet, so the mapping reads the validated JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aisec.common.errors import InputError
from aisec.system.importers.cyclonedx_validate import read_bom
from aisec.system.importers.scaffold import ImportedSystem, ask_unknowns, slug, unique
from aisec.system.schema import Dataset, Model

GENAI_TASKS = ("generation", "text2text", "conversational", "chat", "summari", "translation")
_SENSITIVITY = {
    "public": "public",
    "internal": "internal",
    "confidential": "confidential",
    "restricted": "confidential",
    "pii": "personal",
    "personal": "personal",
    "phi": "special-category",
    "health": "special-category",
    "biometric": "special-category",
}


def _flatten(items: object, depth: int = 0) -> list[dict[str, Any]]:
    """Components and their nested `components`, depth-first (bounded)."""
    out: list[dict[str, Any]] = []
    if not isinstance(items, list) or depth > 20:
        return out
    for item in items:
        if isinstance(item, dict):
            out.append(item)
            out += _flatten(item.get("components", []), depth + 1)
    return out


def _props(raw: dict[str, Any]) -> dict[str, str]:
    """aisec:* properties of a component and its model card (written by `aisec export`)."""
    card = raw.get("modelCard") if isinstance(raw.get("modelCard"), dict) else {}
    found = list(raw.get("properties", [])) + list((card or {}).get("properties", []))
    return {
        str(p["name"]): str(p.get("value", ""))
        for p in found
        if isinstance(p, dict) and str(p.get("name", "")).startswith("aisec:")
    }


def _id(raw: dict[str, Any], fallback: str, taken: set[str]) -> str:
    given = _props(raw).get("aisec:id", "")
    base = (
        given if given and slug(given) == given else slug(str(raw.get("name", fallback)), fallback)
    )
    return unique(base, taken)


def _restore(known: dict[str, str], record: type[BaseModel]) -> dict[str, Any]:
    """Fields an aisec-exported BOM carries as `aisec:<field>` properties, decoded."""
    out: dict[str, Any] = {}
    for name, info in record.model_fields.items():
        key = info.alias or name
        if key in ("id", "name") or f"aisec:{key}" not in known:
            continue
        text = known[f"aisec:{key}"]
        try:
            out[key] = json.loads(text) if text[:1] in "[{tf0123456789n" else text
        except json.JSONDecodeError:
            out[key] = text
    return out


def _supplier(raw: dict[str, Any]) -> str | None:
    for key in ("supplier", "manufacturer", "publisher"):
        value = raw.get(key)
        if isinstance(value, dict) and value.get("name"):
            return str(value["name"])[:200]
        if isinstance(value, str) and value:
            return value[:200]
    return None


def _licences(raw: dict[str, Any]) -> list[str]:
    out = []
    for entry in raw.get("licenses", []):
        lic = entry.get("license", {}) if isinstance(entry, dict) else {}
        name = lic.get("id") or lic.get("name") or entry.get("expression")
        if name:
            out.append(str(name))
    return out


def _sensitivity(imp: ImportedSystem, path: str, raw: dict[str, Any]) -> str:
    for item in raw.get("data", []):
        label = str(item.get("classification", "")).lower()
        for key, value in _SENSITIVITY.items():
            if key in label:
                return value
    return str(
        imp.ask(path, "How sensitive is this data? The BOM gives no classification.", "internal")
    )


def _notes(parts: list[str]) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text[:2000] or None


def import_bom(data: dict[str, Any], source: str) -> ImportedSystem:
    """Map a validated BOM dict to a system description with questions for the gaps."""
    meta = data.get("metadata", {})
    root = meta.get("component", {}) if isinstance(meta.get("component"), dict) else {}
    name = str(root.get("name") or Path(source).stem)
    imp = ImportedSystem(data={}, source=source)
    d = imp.data
    d["id"] = _props(root).get("aisec:system-id") or slug(name, "system")
    d["id"] = slug(d["id"], "system")
    d["name"] = name[:200]
    d["description"] = str(root.get("description", ""))[:4000]
    owner = _supplier(root) or _supplier(meta)
    d["owner"] = {
        "name": owner
        or imp.ask("owner.name", "Who owns this AI system (team or person)?", "to be confirmed")
    }
    d["organisation_role"] = imp.ask(
        "organisation_role",
        "Do you develop/market this AI system (vendor), deploy it (integrator), or both?",
        "integrator",
    )
    # Models are often nested under an application, or the BOM describes one model itself.
    components = _flatten(data.get("components", []))
    if root.get("type") in ("machine-learning-model", "data"):
        components.insert(0, root)
    taken: set[str] = set()
    refs: dict[str, str] = {}  # bom-ref -> aisec id
    datasets: list[dict[str, Any]] = []
    for raw in (c for c in components if c.get("type") == "data"):
        ds_id = _id(raw, "data", taken)
        known = _props(raw)
        refs[str(raw.get("bom-ref", ds_id))] = ds_id
        path = f"datasets[{len(datasets)}]"
        supplier = _supplier(raw)
        datasets.append(
            {
                "id": ds_id,
                "name": str(raw.get("name", ds_id))[:200],
                "purpose": known.get("aisec:purpose", "training"),
                "sensitivity": known.get("aisec:sensitivity")
                or _sensitivity(imp, f"{path}.sensitivity", raw),
                "provenance": known.get("aisec:provenance")
                or (
                    "third-party"
                    if supplier
                    else imp.ask(
                        f"{path}.provenance", "Where does this data come from?", "in-house"
                    )
                ),
                **({"supplier": supplier} if supplier else {}),
                **_restore(known, Dataset),
                **(
                    {"notes": n}
                    if (
                        n := _notes(
                            ["licences: " + ", ".join(ls) if (ls := _licences(raw)) else ""]
                        )
                    )
                    else {}
                ),
            }
        )
    models: list[dict[str, Any]] = []
    for raw in (c for c in components if c.get("type") == "machine-learning-model"):
        m_id = _id(raw, "model", taken)
        refs[str(raw.get("bom-ref", m_id))] = m_id
        models.append(_model(imp, raw, m_id, len(models), refs))
    if not models:
        raise InputError(
            "the BOM lists no component of type 'machine-learning-model'",
            source=source,
            field="components",
            hint="an AI system needs at least one model; add it to the BOM or start with "
            "'aisec init'",
        )
    genai = any(m["kind"] == "genai" for m in models)
    d["archetypes"] = imp.ask(
        "archetypes",
        "Which archetypes describe the system? Guessed from the model tasks.",
        ["conversational-assistant"] if genai else ["ml-classifier"],
    )
    d["business_impact"] = imp.ask(
        "business_impact",
        "Rate the consequence of losing confidentiality, integrity, availability (1-5).",
        {"confidentiality": 3, "integrity": 3, "availability": 3},
    )
    if datasets:
        d["datasets"] = datasets
    d["models"] = models
    interfaces = _interfaces(imp, data, refs, [m["id"] for m in models], taken)
    if interfaces:
        d["interfaces"] = interfaces
    else:
        imp.ask(
            "interfaces",
            "Who can send input to the models, over which interface (exposure public, "
            "partner or internal; authenticated or not)? The BOM lists no service.",
            "none declared",
        )
    ask_unknowns(imp)
    flows = _flows(data, refs)
    if flows:
        d["data_flows"] = flows
    imp.validated()
    return imp


def _model(
    imp: ImportedSystem, raw: dict[str, Any], m_id: str, index: int, refs: dict[str, str]
) -> dict[str, Any]:
    path = f"models[{index}]"
    known = _props(raw)
    card = raw.get("modelCard", {}) if isinstance(raw.get("modelCard"), dict) else {}
    params = (
        card.get("modelParameters", {}) if isinstance(card.get("modelParameters"), dict) else {}
    )
    task = str(params.get("task", "")).strip()
    supplier = _supplier(raw)
    kind = "genai" if any(t in task.lower() for t in GENAI_TASKS) else "predictive"
    training = [
        refs[str(ds.get("ref"))]
        for ds in params.get("datasets", [])
        if isinstance(ds, dict) and str(ds.get("ref")) in refs
    ]
    considerations = (
        card.get("considerations", {}) if isinstance(card.get("considerations"), dict) else {}
    )
    hashes = [
        f"{h.get('alg')}:{h.get('content')}" for h in raw.get("hashes", []) if isinstance(h, dict)
    ]
    notes = _notes(
        [
            f"version {raw['version']}" if raw.get("version") else "",
            f"architecture {params.get('architectureFamily', '')} {params.get('modelArchitecture', '')}".strip()
            if params.get("architectureFamily") or params.get("modelArchitecture")
            else "",
            "licences: " + ", ".join(ls) if (ls := _licences(raw)) else "",
            "hashes: " + ", ".join(hashes) if hashes else "",
            "use cases: " + ", ".join(map(str, considerations.get("useCases", [])))
            if considerations.get("useCases")
            else "",
            "limitations: " + ", ".join(map(str, considerations.get("technicalLimitations", [])))
            if considerations.get("technicalLimitations")
            else "",
        ]
    )
    model: dict[str, Any] = {
        "id": m_id,
        "name": str(raw.get("name", m_id))[:200],
        "kind": known.get("aisec:kind")
        or (kind if task else imp.ask(f"{path}.kind", "Generative or predictive model?", kind)),
        "task": task[:200]
        or imp.ask(
            f"{path}.task",
            "What task does the model perform? modelCard has none.",
            "to be confirmed",
        ),
        "source": known.get("aisec:source")
        or imp.ask(
            f"{path}.source",
            "Do you run these weights (open-weights / in-house) or call a provider's API?",
            "open-weights" if supplier else "in-house",
        ),
        "trained_by": known.get("aisec:trained_by")
        or (
            "supplier"
            if supplier
            else imp.ask(f"{path}.trained_by", "Who trained the model?", "us")
        ),
        "hosted_by": known.get("aisec:hosted_by")
        or imp.ask(f"{path}.hosted_by", "Who hosts the model at run time?", "us"),
    }
    model.update(_restore(known, Model))
    if supplier:
        model["supplier"] = supplier
    if training:
        model["training_data"] = training
    if notes:
        model["notes"] = notes
    return model


def _interfaces(
    imp: ImportedSystem,
    data: dict[str, Any],
    refs: dict[str, str],
    model_ids: list[str],
    taken: set[str],
) -> list[dict[str, Any]]:
    deps = {
        str(d.get("ref")): [refs[str(r)] for r in d.get("dependsOn", []) if str(r) in refs]
        for d in data.get("dependencies", [])
        if isinstance(d, dict)
    }
    out: list[dict[str, Any]] = []
    for raw in (s for s in data.get("services", []) if isinstance(s, dict)):
        path = f"interfaces[{len(out)}]"
        s_id = unique(slug(str(raw.get("name", "service")), "service"), taken)
        refs[str(raw.get("bom-ref", s_id))] = s_id
        served = [m for m in deps.get(str(raw.get("bom-ref")), []) if m in model_ids]
        authenticated = raw.get("authenticated")
        out.append(
            {
                "id": s_id,
                "name": str(raw.get("name", s_id))[:200],
                "exposure": imp.ask(
                    f"{path}.exposure",
                    "Who can reach this service: public, partner or internal?",
                    "internal",
                ),
                "authenticated": authenticated
                if isinstance(authenticated, bool)
                else imp.ask(
                    f"{path}.authenticated", "Does the service authenticate callers?", True
                ),
                "users": imp.ask(
                    f"{path}.users", "Who sends input through this service?", ["to be confirmed"]
                ),
                "models": served
                or imp.ask(
                    f"{path}.models",
                    "Which models does this service reach? The BOM has no dependency.",
                    model_ids,
                ),
            }
        )
    return out


def _flows(data: dict[str, Any], refs: dict[str, str]) -> list[dict[str, Any]]:
    """`A dependsOn B` between two imported components: B's data flows into A."""
    out = []
    for dep in (d for d in data.get("dependencies", []) if isinstance(d, dict)):
        target = refs.get(str(dep.get("ref")))
        for ref in dep.get("dependsOn", []):
            source = refs.get(str(ref))
            if target and source and source != target:
                out.append({"from": source, "to": target, "data": "declared BOM dependency"})
    return out


def import_cyclonedx(path: Path) -> ImportedSystem:
    """Read, validate and map one CycloneDX JSON file."""
    _, data = read_bom(path)
    return import_bom(data, str(path))
