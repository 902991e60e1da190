"""Read evidence files written by any probe family (`aisec scan|probe|mltest --json`)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from aisec.common.errors import InputError
from aisec.common.yamlio import format_loc
from aisec.probes.finding import EVIDENCE_FORMAT, EvidenceReport

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024


def load_evidence(path: Path) -> EvidenceReport:
    """Parse one EvidenceReport JSON file, with errors naming the file and the field."""
    try:
        if path.stat().st_size > MAX_EVIDENCE_BYTES:
            raise InputError(
                f"evidence file larger than {MAX_EVIDENCE_BYTES} bytes", source=str(path)
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read evidence: {exc.strerror}", source=str(path)) from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InputError(
            "JSON nested too deeply to be an evidence file", source=str(path)
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not valid JSON: {exc}", source=str(path), line=line) from None
    if not isinstance(data, dict) or data.get("format") != EVIDENCE_FORMAT:
        raise InputError(
            f'not an aisec evidence file (expected "format": "{EVIDENCE_FORMAT}")',
            source=str(path),
            hint="pass the --json output of 'aisec scan', 'aisec probe' or 'aisec mltest'",
        )
    try:
        return EvidenceReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise InputError(first["msg"], source=str(path), field=format_loc(first["loc"])) from None
