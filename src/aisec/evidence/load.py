"""Read evidence files written by any probe family (`aisec scan|probe|mltest --json`).

Refused as input errors: duplicate JSON keys (a second `"verdict"` could hide the first from one
reader and not another), and a run dated in the future (a file dated 2099 never goes stale).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from aisec.common.errors import InputError
from aisec.common.inputs import parse_json_strict, read_input_bytes
from aisec.common.yamlio import format_loc
from aisec.probes.finding import EVIDENCE_FORMAT, EvidenceReport

MAX_EVIDENCE_BYTES = 256 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=10)


def load_evidence(path: Path, now: datetime | None = None) -> EvidenceReport:
    """Parse one EvidenceReport JSON file, with errors naming the file and the field."""
    return parse_evidence(_read(path), path, now)


def _read(path: Path) -> bytes:
    """Regular files only (a FIFO would block, a device never ends), bounded in size."""
    return read_input_bytes(path, max_bytes=MAX_EVIDENCE_BYTES, what="evidence")


def parse_evidence(raw: bytes, path: Path, now: datetime | None = None) -> EvidenceReport:
    """Validate evidence bytes already read (the caller hashes the same bytes). Duplicate keys,
    NaN, huge integers and lone surrogates are refused by the strict JSON reader."""
    data = parse_json_strict(raw, source=str(path))
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
