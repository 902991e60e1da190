"""docs/system-model.md: its complete example loads, and every field of the model is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from aisec.analysis.derive import derive_threats
from aisec.catalog import default_catalog
from aisec.system import load_system_text, schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "system-model.md"


def test_complete_example_loads_and_uses_every_component() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A complete example with every component")[1]
    block = section.split("```yaml\n")[1].split("```")[0]
    system = load_system_text(block, "docs/system-model.md")
    for part in (
        "datasets",
        "models",
        "augmentation",
        "tools",
        "interfaces",
        "outputs",
        "records",
        "data_flows",
    ):
        assert getattr(system, part), part
    applicable = {d.threat_id for d in derive_threats(default_catalog(), system) if d.applicable}
    # the facts it declares show up as threats: documents in the portal, a device model, a
    # cross-user payout tool, sensitive transcripts, data sent to the supplier
    assert {
        "indirect-prompt-injection",
        "model-theft",
        "agent-escape",
        "input-data-leak",
        "training-data-leak",
        "evasion",
    } <= applicable


def test_every_component_field_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    classes: list[type[BaseModel]] = [
        schema.Dataset,
        schema.Model,
        schema.AugmentationStore,
        schema.Tool,
        schema.Interface,
        schema.OutputConsumer,
        schema.RecordStore,
        schema.DataFlow,
        schema.ContinuousLearning,
    ]
    missing = [
        f"{cls.__name__}.{field.alias or name}"
        for cls in classes
        for name, field in cls.model_fields.items()
        if name not in ("id", "name")
        and not re.search(
            rf"`{re.escape(field.alias or name)}`|\b{re.escape(field.alias or name)}:", text
        )
    ]
    assert missing == []
