"""aisec system description -> CycloneDX 1.6 ML-BOM of its models and datasets.

The BOM is built with cyclonedx-python-lib; the model cards (task, training datasets, our
notes as considerations), which the library does not model yet, are added to its JSON output,
and the result is validated against the bundled CycloneDX 1.6 schema before it is returned.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from aisec.common.errors import AisecError, MissingExtraError
from aisec.system.schema import AISystem

_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/aisec/aisec/ns/cyclonedx")
_CLASSIFICATION = {
    "public": "public",
    "internal": "internal",
    "confidential": "confidential",
    "personal": "PII",
    "special-category": "special-category personal data",
}


_IN_CARD = {"id", "name", "task", "supplier", "training_data", "notes", "artifacts"}
_IN_DATASET = {"id", "name", "supplier", "notes"}


def aisec_properties(record: BaseModel, *, exclude: set[str]) -> list[dict[str, str]]:
    """Every other field of an aisec record as an `aisec:<field>` property (JSON for non-text),
    so `aisec import cyclonedx` restores the record exactly."""
    out = []
    for key, value in record.model_dump(mode="json", by_alias=True).items():
        if key in exclude or value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        out.append({"name": f"aisec:{key}", "value": text})
    return out


class BomExportError(AisecError):
    """The exported BOM does not match the CycloneDX schema (an aisec bug)."""


def _model_card(system: AISystem, model_id: str) -> dict[str, Any]:
    model = next(m for m in system.models if m.id == model_id)
    params: dict[str, Any] = {"task": model.task}
    if model.training_data:
        params["datasets"] = [{"ref": f"dataset:{d}"} for d in model.training_data]
    card: dict[str, Any] = {"modelParameters": params}
    limits = [model.notes] if model.notes else []
    card["considerations"] = {
        "useCases": [system.description.strip() or system.name],
        **({"technicalLimitations": limits} if limits else {}),
    }
    card["properties"] = aisec_properties(model, exclude=_IN_CARD)
    return card


def bom_document(system: AISystem, now: datetime, aisec_version: str) -> str:
    """JSON text of a valid CycloneDX 1.6 BOM (schema-checked offline)."""
    try:
        from cyclonedx.model import Property
        from cyclonedx.model.bom import Bom
        from cyclonedx.model.component import Component, ComponentType
        from cyclonedx.model.contact import OrganizationalEntity
        from cyclonedx.output.json import JsonV1Dot6
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError as exc:
        raise MissingExtraError("interop", "cyclonedx") from exc

    root = Component(
        type=ComponentType.APPLICATION,
        name=system.name,
        bom_ref=f"system:{system.id}",
        description=system.description.strip() or None,
        properties=[Property(name="aisec:system-id", value=system.id)],
    )
    bom = Bom(serial_number=uuid.uuid5(_NS, f"{system.id}/{now.isoformat()}"))
    bom.metadata.timestamp = now
    bom.metadata.component = root
    bom.metadata.manufacturer = OrganizationalEntity(name=system.owner.name)
    datasets = {}
    for ds in system.datasets:
        comp = Component(
            type=ComponentType.DATA,
            name=ds.name,
            bom_ref=f"dataset:{ds.id}",
            supplier=OrganizationalEntity(name=ds.supplier) if ds.supplier else None,
            properties=[
                Property(name="aisec:id", value=ds.id),
                *(
                    Property(name=p["name"], value=p["value"])
                    for p in aisec_properties(ds, exclude=_IN_DATASET)
                ),
            ],
        )
        datasets[ds.id] = comp
        bom.components.add(comp)
    for model in system.models:
        comp = Component(
            type=ComponentType.MACHINE_LEARNING_MODEL,
            name=model.name,
            bom_ref=f"model:{model.id}",
            supplier=OrganizationalEntity(name=model.supplier) if model.supplier else None,
            properties=[Property(name="aisec:id", value=model.id)],
        )
        bom.components.add(comp)
        bom.register_dependency(root, [comp])
        bom.register_dependency(comp, [datasets[d] for d in model.training_data])
    text = JsonV1Dot6(bom).output_as_string(indent=2)
    document = json.loads(text)
    for comp_json in document.get("components", []):
        ref = str(comp_json.get("bom-ref", ""))
        if ref.startswith("model:"):
            comp_json["modelCard"] = _model_card(system, ref.removeprefix("model:"))
        if ref.startswith("dataset:"):
            ds = next(d for d in system.datasets if d.id == ref.removeprefix("dataset:"))
            comp_json["data"] = [
                {
                    "type": "dataset",
                    "name": ds.name,
                    "classification": _CLASSIFICATION[ds.sensitivity.value],
                }
            ]
    document.setdefault("metadata", {})["tools"] = {
        "components": [{"type": "application", "name": "aisec", "version": aisec_version}]
    }
    out = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(out, all_errors=True)
    problems = [str(getattr(e, "data", e))[:300] for e in (errors or [])]
    if problems:
        raise BomExportError("CycloneDX export does not match the 1.6 schema: " + problems[0])
    return out
