"""Validate an OSCAL document against NIST's published JSON schema, offline.

NIST's schema uses ECMA-262 Unicode classes (`\\p{L}`, `\\p{N}`) in token patterns, which Python's
`re` does not know. They are translated to the equivalent Python classes before matching, so
every other keyword is checked by `jsonschema` exactly as published.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from aisec.common.errors import AisecError

SCHEMA_FILE = "oscal_complete_schema.json"
OSCAL_VERSION = "1.2.1"
_ECMA = {r"\p{L}": r"[^\W\d_]", r"\p{N}": r"\d"}


class OscalSchemaError(AisecError):
    """An exported document does not match the OSCAL schema (a bug in the exporter)."""


def _python_pattern(pattern: str) -> str:
    for ecma, python in _ECMA.items():
        pattern = pattern.replace(ecma, python)
    return pattern


@cache
def _schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _validator() -> Any:
    import jsonschema
    from jsonschema import validators

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if isinstance(instance, str) and not re.search(_python_pattern(patrn), instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    base = validators.Draft7Validator
    cls = validators.extend(base, {"pattern": pattern})
    return cls(_schema(), format_checker=base.FORMAT_CHECKER)


def _leaves(error: Any) -> list[Any]:
    """The errors of the oneOf/anyOf branch that got furthest into the document."""
    if not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).extend(_leaves(sub))
    return max(branches.values(), key=lambda leaves: max(len(e.absolute_path) for e in leaves))


def schema_errors(document: dict[str, Any], limit: int = 20) -> list[str]:
    """Messages `path: problem` for each violation (empty when the document is valid)."""
    out: list[str] = []
    for error in _validator().iter_errors(document):
        for leaf in _leaves(error):
            where = "/".join(str(p) for p in leaf.absolute_path) or "(root)"
            message = f"{where}: {leaf.message[:300]}"
            if message not in out:
                out.append(message)
        if len(out) >= limit:
            break
    return out[:limit]


def check_oscal(document: dict[str, Any]) -> None:
    """Raise `OscalSchemaError` naming each violation; return quietly when valid."""
    errors = schema_errors(document)
    if errors:
        raise OscalSchemaError(
            "OSCAL export does not match the NIST schema:\n  " + "\n  ".join(errors),
            hint="this is an aisec bug; please report it with the command you ran",
        )
