"""Reading a CycloneDX JSON BOM safely: size bound, JSON errors with line numbers, the
CycloneDX JSON schema (bundled with cyclonedx-python-lib, so offline) with each violation
located by line and field, then deserialisation by the library itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aisec.common.errors import InputError, MissingExtraError
from aisec.common.yamlio import format_loc, load_yaml_text

MAX_BOM = 32 * 1024 * 1024
_SPEC = {"1.6": "V1_6", "1.7": "V1_7"}


def _locate(text: str, source: str, path: list[str | int]) -> int | None:
    """Line of a JSON path, read through the YAML loader (JSON is YAML); None if unknown."""
    try:
        return load_yaml_text(text, source).line_of(path)
    except Exception:  # noqa: BLE001  (locating is a courtesy; the error is reported anyway)
        return None


def validate_bom(text: str, source: str) -> dict[str, Any]:
    """Parse and schema-check a CycloneDX JSON BOM; InputError naming file, line and field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source=source, line=exc.lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deep", source=source) from None
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise InputError(
            "not a CycloneDX JSON BOM (bomFormat must be 'CycloneDX')",
            source=source,
            line=1,
            field="bomFormat",
        )
    spec = str(data.get("specVersion", ""))
    if spec not in _SPEC:
        raise InputError(
            f"CycloneDX specVersion {spec!r} is not supported",
            source=source,
            line=_locate(text, source, ["specVersion"]),
            field="specVersion",
            hint="aisec reads ML-BOMs of CycloneDX 1.6 or 1.7 (modelCard needs 1.5+)",
        )
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError as exc:
        raise MissingExtraError("interop", "cyclonedx") from exc
    validator = JsonStrictValidator(getattr(SchemaVersion, _SPEC[spec]))
    errors = validator.validate_str(text, all_errors=True)
    first = next(iter(errors), None) if errors is not None else None
    if first is not None:
        detail = first.data
        path = list(getattr(detail, "absolute_path", []))
        raise InputError(
            f"does not match the CycloneDX {spec} schema: {getattr(detail, 'message', detail)}"[
                :500
            ],
            source=source,
            line=_locate(text, source, path),
            field=format_loc(path) or None,
        )
    _deserialise(data, source)
    return data


def _deserialise(data: dict[str, Any], source: str) -> None:
    """Let cyclonedx-python-lib read the BOM too: it refuses what the schema cannot express."""
    from cyclonedx.model.bom import Bom

    try:
        Bom.from_json(data)  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001  (any library refusal is the BOM's problem)
        raise InputError(
            f"cyclonedx-python-lib cannot read the BOM: {type(exc).__name__}: {exc}"[:500],
            source=source,
        ) from None


def read_bom(path: Path) -> tuple[str, dict[str, Any]]:
    if path.stat().st_size > MAX_BOM:
        raise InputError(f"BOM larger than {MAX_BOM // 1024 // 1024} MiB", source=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("BOM is not UTF-8 text", source=str(path)) from None
    return text, validate_bom(text, str(path))
