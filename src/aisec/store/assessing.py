"""Run the same analysis as `aisec assess`, from stored text instead of files.

The server keeps the very YAML the CLI reads; this module parses it with the same loaders and
calls the same `analysis.assess` and report renderers, so a file and a stored revision of it
always give the same result.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Lock
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from aisec.analysis.model import AssessmentResult
from aisec.catalog import Catalog
from aisec.common.errors import InputError
from aisec.common.yamlio import format_loc
from aisec.probes.finding import EVIDENCE_FORMAT, EvidenceReport
from aisec.reports.compliance import compliance_sections
from aisec.reports.context import ReportInput
from aisec.service import ReportFormat, get_catalog
from aisec.system import AISystem
from aisec.system.assessment import Assessment
from aisec.system.loader import load_system_text

MAX_EVIDENCE_BYTES = 16 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_YAML_TEXT = 2 * 1024 * 1024


def parse_system_text(text: str, source: str = "system.yaml") -> AISystem:
    if len(text.encode("utf-8")) > MAX_YAML_TEXT:
        raise InputError(f"system description larger than {MAX_YAML_TEXT} bytes", source=source)
    return load_system_text(text, source)


def parse_assessment_text(
    text: str, catalog: Catalog, source: str = "assessment.yaml"
) -> Assessment:
    """Same checks as `load_assessment` (schema, known control and threat ids), size-bounded."""
    from aisec.system.assessment import parse_assessment_text as parse

    if len(text.encode("utf-8")) > MAX_YAML_TEXT:
        raise InputError(f"assessment larger than {MAX_YAML_TEXT} bytes", source=source)
    return parse(text, source, set(catalog.controls), set(catalog.threats))


def _depth(value: Any, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def parse_evidence_bytes(raw: bytes, source: str = "evidence.json") -> EvidenceReport:
    """An uploaded evidence report: bounded size and depth, plain JSON data, schema-checked."""
    if len(raw) > MAX_EVIDENCE_BYTES:
        raise InputError(f"evidence larger than {MAX_EVIDENCE_BYTES} bytes", source=source)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InputError("JSON nested too deeply to be an evidence file", source=source) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", source=source) from None
    if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", source=source)
    if not isinstance(data, dict) or data.get("format") != EVIDENCE_FORMAT:
        raise InputError(
            f'not an aisec evidence file (expected "format": "{EVIDENCE_FORMAT}")', source=source
        )
    try:
        return EvidenceReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise InputError(first["msg"], source=source, field=format_loc(first["loc"])) from None


@dataclass(frozen=True)
class Summary:
    """What a revision row stores of a run: small and picklable (process pools compute it)."""

    blob: bytes
    catalog_version: str
    residual_sum: int
    inherent_sum: int
    max_residual: int
    above_acceptance: int
    readiness: int


@dataclass(frozen=True)
class Outcome:
    """One analysis run: what reports render, plus the compressed JSON kept with the revision."""

    system: AISystem
    report: ReportInput
    blob: bytes

    @property
    def result(self) -> AssessmentResult:
        return self.report.result

    @property
    def summary(self) -> Summary:
        r = self.report.result
        return Summary(
            blob=self.blob,
            catalog_version=r.catalog_version[:60],
            residual_sum=r.totals.residual_sum,
            inherent_sum=r.totals.inherent_sum,
            max_residual=r.totals.max_residual,
            above_acceptance=r.totals.risks_above_acceptance,
            readiness=round(r.readiness.overall.score),
        )


def summarise_text(
    system_text: str, assessment_text: str | None, evidence: Sequence[tuple[str, bytes]] = ()
) -> Summary:
    """`run_text` reduced to what is stored (for a process pool re-assessing a workspace)."""
    return run_text(system_text, assessment_text, evidence).summary


def run_text(
    system_text: str,
    assessment_text: str | None,
    evidence: Sequence[tuple[str, bytes]] = (),
    extras: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Outcome:
    """`aisec assess` on stored text: the service layer's `run_loaded`, same checks, same result."""
    from aisec.service import run_loaded, text_input

    catalog = get_catalog()
    system = parse_system_text(system_text)
    assessment = parse_assessment_text(assessment_text, catalog) if assessment_text else None
    inputs = [text_input("system", f"{system.id}.yaml", system_text)]
    if assessment_text:
        inputs.append(text_input("assessment", f"{system.id}.assessment.yaml", assessment_text))
    run = run_loaded(
        system,
        assessment,
        evidence,
        now=now or datetime.now(UTC),
        inputs=inputs,
        system_text=system_text,
    )
    report = run.report
    if extras:
        report = ReportInput(
            result=report.result,
            evidence=report.evidence,
            crosswalks=report.crosswalks,
            obligations=report.obligations,
            extras={**report.extras, **extras},
        )
    payload = {"result": json.loads(report.result.model_dump_json()), "extras": report.extras}
    blob = zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 1)
    return Outcome(run.system, report, blob)


def stored_payload(blob: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(zlib.decompress(blob))
    return data


class _ResultOnly(BaseModel):
    """A stored payload read for its result only: the JSON parser skips the crosswalk extras
    (most of its size) instead of building them as Python objects (3-5x faster)."""

    model_config = ConfigDict(extra="ignore")
    result: AssessmentResult


class _ResultDict(BaseModel):
    """Same skipping trick for readers that want the result as plain JSON data (diff, the
    system page): values come out exactly as json.loads would build them, ~4x faster."""

    model_config = ConfigDict(extra="ignore")
    result: dict[str, Any]


def stored_result_payload(blob: bytes) -> dict[str, Any]:
    """{'result': ...} of a stored payload, without building its (large) extras."""
    return {"result": _ResultDict.model_validate_json(zlib.decompress(blob)).result}


def stored_result(blob: bytes) -> AssessmentResult:
    return _ResultOnly.model_validate_json(zlib.decompress(blob)).result


T = TypeVar("T")
_CACHE: OrderedDict[tuple[str, int], Any] = OrderedDict()
_CACHE_LOCK = Lock()
CACHE_SIZE = 48


def cached(kind: str, revision_id: int, make: Callable[[], T]) -> T:
    """Parsed data of an immutable revision, kept in a small LRU (revisions never change, so
    no invalidation). Callers must treat the returned object as read-only."""
    key = (kind, revision_id)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]  # type: ignore[no-any-return]
    value = make()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def stored_json(blob: bytes) -> str:
    """The JSON report of a stored revision, exactly as `aisec assess --json` shapes it."""
    payload = stored_payload(blob)
    data = dict(payload["result"])
    data.update(payload.get("extras") or {})
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_stored(
    blob: bytes,
    fmt: ReportFormat,
    system_text: str,
    assessment_text: str | None,
    evidence: Sequence[tuple[str, bytes]] = (),
    revision_id: int | None = None,
) -> bytes:
    """Render a stored revision: its stored result; frameworks sections from the same inputs."""
    from aisec.service import render_bytes

    if fmt is ReportFormat.JSON:
        return stored_json(blob).encode("utf-8")
    if revision_id is None:
        result = stored_result(blob)
    else:
        result = cached("result", revision_id, lambda: stored_result(blob))
    if fmt in (ReportFormat.CSV, ReportFormat.XLSX):
        return render_bytes(ReportInput(result=result), fmt)
    catalog = get_catalog()
    system = parse_system_text(system_text)
    assessment = parse_assessment_text(assessment_text, catalog) if assessment_text else None
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    crosswalks, obligations, _ = compliance_sections(
        catalog, system, assessment, applicable, result.controls
    )
    reports = tuple(parse_evidence_bytes(raw, name) for name, raw in evidence)
    payload = (
        stored_payload(blob)
        if revision_id is None
        else cached("payload", revision_id, lambda: stored_payload(blob))
    )
    report = ReportInput(
        result=result,
        evidence=reports,
        crosswalks=crosswalks,
        obligations=obligations,
        extras=payload.get("extras") or {},
    )
    return render_bytes(report, fmt)
