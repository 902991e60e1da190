"""Read evidence files written by any probe family (`aisec scan|probe|mltest --json`).

Refused as input errors: duplicate JSON keys (a second `"verdict"` could hide the first from one
reader and not another), and a run dated in the future (a file dated 2099 never goes stale).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aisec.common.errors import InputError
from aisec.common.yamlio import format_loc
from aisec.probes.finding import EVIDENCE_FORMAT, EvidenceReport

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=10)


class _DuplicateKey(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def load_evidence(path: Path, now: datetime | None = None) -> EvidenceReport:
    """Parse one EvidenceReport JSON file, with errors naming the file and the field."""
    return parse_evidence(_read(path), path, now)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_EVIDENCE_BYTES:
            raise InputError(
                f"evidence file larger than {MAX_EVIDENCE_BYTES} bytes", source=str(path)
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read evidence: {exc.strerror}", source=str(path)) from None


def parse_evidence(raw: bytes, path: Path, now: datetime | None = None) -> EvidenceReport:
    """Validate evidence bytes already read (the caller hashes the same bytes)."""
    try:
        data = json.loads(raw, object_pairs_hook=_unique)
    except _DuplicateKey as exc:
        raise InputError(
            f"duplicate key {exc.args[0]!r}: an evidence file must be unambiguous",
            source=str(path),
        ) from None
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
        report = EvidenceReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise InputError(first["msg"], source=str(path), field=format_loc(first["loc"])) from None
    if now is not None:
        when = report.generated_at
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when > now + CLOCK_SKEW:
            raise InputError(
                f"evidence dated in the future ({report.generated_at.isoformat()})",
                source=str(path),
                field="generated_at",
                hint="evidence records a run that happened; check the clock of the machine "
                "that wrote it",
            )
    return report
