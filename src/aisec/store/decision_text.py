"""Write one risk decision into an assessment's YAML text without rewriting the rest of it.

A decision recorded through the API or the pages changes one entry of `decisions:`; the user's
comments, key order, quoting and layout elsewhere in the file are theirs and must survive. The
text is edited with a round-trip YAML parser (ruamel.yaml), and the result is checked: read with
the same safe loader as every other input, it must give exactly the data a plain rewrite would
give. If the round trip cannot guarantee that (a construct ruamel re-emits differently), the
plain rewrite is used instead, so a decision is never recorded wrongly for the sake of layout.
"""

from __future__ import annotations

import io
import re
from typing import Any

import yaml

Entry = dict[str, Any]


def _same_risk(item: Any, entry: Entry) -> bool:
    return (
        isinstance(item, dict)
        and item.get("threat") == entry.get("threat")
        and item.get("component") == entry.get("component")
    )


def _placed(decisions: list[Any], entry: Entry) -> list[Any]:
    """The decisions with `entry` in place of the same risk's decision (first position kept,
    duplicates dropped), or appended when the risk had none."""
    out: list[Any] = []
    placed = False
    for item in decisions:
        if _same_risk(item, entry):
            if not placed:
                out.append(entry)
                placed = True
            continue
        out.append(item)
    return out if placed else [*out, entry]


def plain_text(head_text: str | None, system_id: str, entry: Entry) -> str:
    """The decision written by re-dumping the whole document (loses comments and quoting)."""
    data: dict[str, Any] = (yaml.safe_load(head_text) if head_text else None) or {
        "system": system_id
    }
    data["decisions"] = _placed(list(data.get("decisions") or []), entry)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def with_decision(head_text: str | None, system_id: str, entry: Entry) -> str:
    """`head_text` with `entry` recorded (replacing the decision on the same threat and
    component), everything else of the text kept as the user wrote it."""
    expected = yaml.safe_load(plain_text(head_text, system_id, entry))
    if head_text and head_text.strip():
        try:
            text = _round_trip(head_text, entry)
        except Exception:  # noqa: BLE001 - any round-trip failure falls back to the plain dump
            text = None
        if text is not None and yaml.safe_load(text) == expected:
            return text
    return yaml.safe_dump(expected, sort_keys=False, allow_unicode=True)


_NESTED_KEY = re.compile(r"^( +)[^\s#\-\[{][^:#]*:(\s|$)", re.MULTILINE)


def _mapping_indent(text: str) -> int:
    """The indentation step of nested mappings as the user wrote them (2 if none nests)."""
    steps = [len(m.group(1)) for m in _NESTED_KEY.finditer(text)]
    return min(steps) if steps else 2


def _round_trip(head_text: str, entry: Entry) -> str | None:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.util import load_yaml_guess_indent

    _, seq_indent, offset = load_yaml_guess_indent(head_text)
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap the user's long lines
    offset = offset or 0
    rt.indent(
        mapping=_mapping_indent(head_text),
        sequence=max(seq_indent or 2, offset + 2),
        offset=offset,
    )
    data = rt.load(head_text)
    if not isinstance(data, CommentedMap):
        return None
    new = CommentedMap(entry.items())
    current = data.get("decisions")
    if isinstance(current, CommentedSeq):
        index = next((i for i, d in enumerate(current) if _same_risk(d, entry)), None)
        if index is None:
            current.append(new)
        else:
            current[index] = new
            for i in reversed(range(index + 1, len(current))):
                if _same_risk(current[i], entry):
                    del current[i]
    else:
        data["decisions"] = CommentedSeq([new])
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()
