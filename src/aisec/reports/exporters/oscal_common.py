"""Shared pieces of every OSCAL export: stable UUIDs, metadata, aisec properties, and the one
path out (trestle model -> JSON text -> NIST schema check).

UUIDs are version-5 (name-based) so exporting the same inputs twice gives the same document and
a GRC tool that re-imports it updates records instead of duplicating them.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from aisec.common.errors import MissingExtraError
from aisec.reports.exporters.oscal_schema import OSCAL_VERSION, check_oscal

AISEC_NS = "https://github.com/aisec/aisec/ns/oscal"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, AISEC_NS)

# Root key of each document kind -> trestle module and class.
MODELS = {
    "catalog": ("trestle.oscal.catalog", "Catalog"),
    "component-definition": ("trestle.oscal.component", "ComponentDefinition"),
    "system-security-plan": ("trestle.oscal.ssp", "SystemSecurityPlan"),
    "assessment-results": ("trestle.oscal.assessment_results", "AssessmentResults"),
    "plan-of-action-and-milestones": ("trestle.oscal.poam", "PlanOfActionAndMilestones"),
}


def stable_uuid(*parts: str) -> str:
    """The same names always give the same UUID (v5 under aisec's namespace)."""
    return str(uuid.uuid5(_ROOT, "/".join(parts)))


def threat_ref(threat_id: str) -> dict[str, str]:
    """An OSCAL threat-id: the system and id must be URIs, so the aisec id becomes a fragment."""
    return {"system": AISEC_NS, "id": f"{AISEC_NS}/threats#{threat_id}"}


def prop(name: str, value: str, **extra: str) -> dict[str, Any]:
    """An aisec-namespaced property; OSCAL props may not hold empty or padded strings."""
    out: dict[str, Any] = {"name": name, "ns": AISEC_NS, "value": str(value).strip() or "-"}
    out.update(extra)
    return out


def timestamp(moment: datetime) -> str:
    """OSCAL date-time needs a time zone; naive inputs are taken as UTC."""
    text = moment.isoformat(timespec="seconds")
    return text if moment.tzinfo else text + "+00:00"


def metadata(
    title: str,
    moment: datetime,
    version: str,
    *,
    remarks: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": title,
        "last-modified": timestamp(moment),
        "version": version,
        "oscal-version": OSCAL_VERSION,
    }
    out.update({k.replace("_", "-"): v for k, v in extra.items() if v})
    if remarks:
        out["remarks"] = remarks
    return out


def model_class(root_key: str) -> Any:
    """The compliance-trestle class of one OSCAL document kind (imported on demand)."""
    import importlib

    module_name, class_name = MODELS[root_key]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingExtraError("interop", "trestle") from exc
    return getattr(module, class_name)


def finish(root_key: str, body: dict[str, Any]) -> str:
    """Validate `body` with trestle's model, serialise it, check the NIST schema; JSON text."""
    model = model_class(root_key).model_validate(body)
    text: str = model.oscal_serialize_json(pretty=True)
    check_oscal(json.loads(text))
    return text + "\n"


def read_back(root_key: str, text: str) -> dict[str, Any]:
    """Parse an exported document with trestle again (the round trip) as an OSCAL dict."""
    document = json.loads(text)
    model = model_class(root_key).model_validate(document[root_key])
    result: dict[str, Any] = json.loads(model.oscal_serialize_json())
    return result
