"""JSON export: the assessment result as published, versioned data (`format: aisec-result/1`)."""

from __future__ import annotations

import json
from typing import Any

from aisec.analysis.model import AssessmentResult


def render_json(result: AssessmentResult, extras: dict[str, Any] | None = None) -> str:
    """Serialise the result; `extras` carries sections contributed by other modules
    (crosswalk coverage, AI Act obligations, evidence summaries) under their own keys."""
    data = result.model_dump(mode="json")
    for key, value in (extras or {}).items():
        data[key] = value
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def result_schema() -> str:
    """JSON Schema of the result, published so integrators can validate what they consume."""
    return json.dumps(AssessmentResult.model_json_schema(), indent=2) + "\n"
