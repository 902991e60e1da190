"""An evidence file's JSON written without pydantic, for the scanner's `--json` in CI.

Importing pydantic costs more than scanning a small model file, and the scanner writes the
envelope it has just built from its own values, so there is nothing to validate: this writes
the document `EvidenceReport.model_dump_json(indent=2)` writes, key for key and byte for byte
(tests/probes/artifacts/test_evidence_json.py compares them). Reading an evidence file back always goes
through `EvidenceReport`, which validates it. Values the standard library would write
differently from pydantic (NaN or infinite floats) make `evidence_json` raise ValueError; the
caller then lets pydantic write the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aisec.probes.record import Finding

EVIDENCE_FORMAT = "aisec-evidence/1"


def evidence_json(
    *,
    tool: str,
    tool_version: str,
    generated_at: datetime,
    subject: str,
    findings: Sequence[Finding],
    skipped: Sequence[str],
    errors: Sequence[str],
    summary: dict[str, Any],
) -> str:
    """The envelope as JSON, fields in `EvidenceReport`'s order."""
    document = {
        "format": EVIDENCE_FORMAT,
        "tool": tool,
        "tool_version": tool_version,
        "generated_at": timestamp(generated_at),
        "subject": subject,
        "findings": [f.to_json() for f in findings],
        "skipped": list(skipped),
        "errors": list(errors),
        "summary": summary,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


def timestamp(moment: datetime) -> str:
    """ISO 8601 as pydantic writes it: `Z` for UTC, the offset otherwise."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
