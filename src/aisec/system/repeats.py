"""Assess repeated models once: the same description N times gives the same rows N times.

A fleet of 10,000 identical model entries (one per tenant, region or shard) used to produce
10,000 copies of every risk row, cost minutes and gigabytes, and buried the report. Models whose
descriptions are identical apart from `id` and `name`, and which every other part of the system
references in exactly the same places, are facts-equivalent: the engine derives the same threats,
scores and controls for each. They are collapsed onto the first of them before analysis, and the
report says which models each row stands for. A model referenced on its own anywhere (a scalar
field, a list the others are not in) or named by the assessment is never collapsed.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import Any

from aisec.system.schema import AISystem

MAX_NAME = 200
NOTE_IDS = 12  # ids quoted in a note before "... and N more"

Path_ = tuple[str | int, ...]


def _references(data: Any, ids: set[str], path: Path_ = ()) -> Iterator[tuple[str, Path_, bool]]:
    """(model id, path of the list or field holding it, held in a list) for every reference."""
    if isinstance(data, dict):
        for key, value in data.items():
            if len(path) == 2 and path[0] == "models" and key == "id":
                continue  # a model's own id is not a reference to it
            yield from _references(value, ids, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, str):
                if value in ids:
                    yield value, path, True
            else:
                yield from _references(value, ids, (*path, i))
    elif isinstance(data, str) and data in ids:
        yield data, path, False


def _drop(data: Any, removed: set[str]) -> Any:
    if isinstance(data, dict):
        return {k: _drop(v, removed) for k, v in data.items()}
    if isinstance(data, list):
        return [_drop(v, removed) for v in data if not (isinstance(v, str) and v in removed)]
    return data


def collapse_repeated_models(
    system: AISystem, keep: Collection[str] = ()
) -> tuple[AISystem, dict[str, list[str]]]:
    """(system with each group of equivalent models reduced to its first, {kept id: all ids})."""
    if len(system.models) < 2:
        return system, {}
    data = system.model_dump(mode="json")
    ids = {m["id"] for m in data["models"]}
    places: dict[str, list[tuple[Path_, bool]]] = {i: [] for i in ids}
    for model_id, where, in_list in _references(data, ids):
        places[model_id].append((where, in_list))
    groups: dict[str, list[str]] = {}
    for model in data["models"]:
        mid = model["id"]
        refs = places[mid]
        if mid in keep or any(not in_list for _, in_list in refs):
            signature = f"unique:{mid}"
        else:
            body = {k: v for k, v in model.items() if k not in ("id", "name")}
            signature = json.dumps([body, sorted(map(str, refs))], sort_keys=True, default=str)
        groups.setdefault(signature, []).append(mid)
    repeats = {members[0]: members for members in groups.values() if len(members) > 1}
    if not repeats:
        return system, {}
    removed = {mid for members in repeats.values() for mid in members[1:]}
    kept_models = []
    for model in data["models"]:
        if model["id"] in removed:
            continue
        members = repeats.get(model["id"])
        if members:
            suffix = f" (x{len(members)}: {members[0]} .. {members[-1]})"
            model = {**model, "name": model["name"][: MAX_NAME - len(suffix)] + suffix}
        kept_models.append(model)
    rest = _drop({k: v for k, v in data.items() if k != "models"}, removed)
    collapsed = AISystem.model_validate({**rest, "models": kept_models})
    return collapsed, repeats


def repeat_notes(repeats: dict[str, list[str]]) -> list[str]:
    """One report note per collapsed group, naming the models its rows stand for."""
    notes = []
    for kept, members in repeats.items():
        shown = ", ".join(members[:NOTE_IDS])
        more = f" and {len(members) - NOTE_IDS} more" if len(members) > NOTE_IDS else ""
        notes.append(
            f"{len(members)} models have identical descriptions and are assessed once: every "
            f"row for {kept} stands for {shown}{more}."
        )
    return notes
