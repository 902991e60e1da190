"""Load an AI-system description from YAML and check its internal references.

A model named by a tool, store or interface must exist, ids must be unique across components,
and a dataset named as training data must be declared: each failure names file, line and field.
"""

from __future__ import annotations

from pathlib import Path

from aisec.common.errors import InputError
from aisec.common.yamlio import LocatedYaml, load_yaml_file, load_yaml_text, validate_located
from aisec.system.schema import AISystem

_COMPONENT_LISTS = (
    "datasets",
    "models",
    "augmentation",
    "tools",
    "interfaces",
    "outputs",
    "records",
)


def _check_references(system: AISystem, located: LocatedYaml) -> None:
    def fail(path: tuple[str | int, ...], message: str) -> InputError:
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(
            ".[", "["
        )
        return InputError(message, source=located.source, line=located.line_of(path), field=field)

    seen: dict[str, str] = {}
    for key in _COMPONENT_LISTS:
        for index, item in enumerate(getattr(system, key)):
            if item.id in seen:
                raise fail(
                    (key, index, "id"),
                    f"id {item.id!r} already used in {seen[item.id]}; ids must be unique",
                )
            seen[item.id] = key
    models = {m.id for m in system.models}
    datasets = {d.id for d in system.datasets}

    def need(ids: list[str], known: set[str], path: tuple[str | int, ...], what: str) -> None:
        for pos, ref in enumerate(ids):
            if ref not in known:
                expected = ", ".join(sorted(known)) or "none declared"
                raise fail((*path, pos), f"unknown {what} {ref!r} (expected one of: {expected})")

    for index, model in enumerate(system.models):
        need(model.training_data, datasets, ("models", index, "training_data"), "dataset")
    for index, store in enumerate(system.augmentation):
        need(store.feeds, models, ("augmentation", index, "feeds"), "model")
    for index, tool in enumerate(system.tools):
        need(tool.used_by, models, ("tools", index, "used_by"), "model")
    for index, interface in enumerate(system.interfaces):
        need(interface.models, models, ("interfaces", index, "models"), "model")
    for index, output in enumerate(system.outputs):
        need(output.models, models, ("outputs", index, "models"), "model")
    for index, record in enumerate(system.records):
        need(record.models, models, ("records", index, "models"), "model")
    need(system.continuous_learning.models, models, ("continuous_learning", "models"), "model")
    for index, flow in enumerate(system.data_flows):
        need([flow.source], set(seen), ("data_flows", index, "from"), "component")
        need([flow.target], set(seen), ("data_flows", index, "to"), "component")


def parse_system(located: LocatedYaml) -> AISystem:
    if not isinstance(located.data, dict):
        raise InputError(
            "expected a mapping describing one AI system (id, name, owner, models...)",
            source=located.source,
            line=1,
        )
    system = validate_located(AISystem, located)
    _check_references(system, located)
    return system


def load_system(path: Path) -> AISystem:
    """Read and validate a system YAML file."""
    return parse_system(load_yaml_file(path))


def load_system_text(text: str, source: str = "<text>") -> AISystem:
    return parse_system(load_yaml_text(text, source))
