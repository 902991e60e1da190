"""Run the same analysis as `aisec assess`, from stored text instead of files.

The server keeps the very YAML the CLI reads; this module parses it with the same loaders and
calls the same `analysis.assess` and report renderers, so a file and a stored revision of it
always give the same result.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pydantic_core
from pydantic import BaseModel, ConfigDict, ValidationError

from aisec.analysis.model import AssessmentResult
from aisec.catalog import Catalog
from aisec.common.errors import InputError
from aisec.common.lru import LRU
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
    projection: str = ""  # `aisec.store.projection` JSON, stored with the revision
    system_id: str = ""
    system_name: str = ""
    owner: str = ""


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
        from aisec.store import projection

        r = self.report.result
        return Summary(
            blob=self.blob,
            catalog_version=r.catalog_version[:60],
            residual_sum=r.totals.residual_sum,
            inherent_sum=r.totals.inherent_sum,
            max_residual=r.totals.max_residual,
            above_acceptance=r.totals.risks_above_acceptance,
            readiness=round(r.readiness.overall.score),
            projection=projection.dumps(r),
            system_id=self.system.id,
            system_name=self.system.name,
            owner=self.system.owner.name,
        )


def summarise_text(
    system_text: str, assessment_text: str | None, evidence: Sequence[tuple[str, bytes]] = ()
) -> Summary:
    """`run_text` reduced to what is stored (what the analysis pool computes): the framework
    coverage models only reports render are not built (the stored extras are the same)."""
    return run_text(system_text, assessment_text, evidence, crosswalk_models=False).summary


def run_text(
    system_text: str,
    assessment_text: str | None,
    evidence: Sequence[tuple[str, bytes]] = (),
    extras: dict[str, Any] | None = None,
    now: datetime | None = None,
    crosswalk_models: bool = True,
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
        crosswalk_models=crosswalk_models,
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
    # {"result": ..., "extras": ...} written straight from pydantic's serialiser (no Python
    # round trip of the result: ~8 ms less per run); readers decode the same JSON data
    payload = b"".join(
        (
            b'{"result":',
            report.result.model_dump_json().encode("utf-8"),
            b',"extras":',
            pydantic_core.to_json(report.extras),
            b"}",
        )
    )
    blob = zlib.compress(payload, 1)
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
# Parsed data in memory per byte of the compressed stored result (measured on the examples:
# a ~95 KB blob parses to ~480 KB as AssessmentResult, ~520 KB as plain result data, ~2.4 MB
# as the whole payload with its crosswalk extras).
GROWTH = {"result": 5, "result-data": 6, "payload": 26}
CACHE_BYTES = int(os.environ.get("AISEC_RESULT_CACHE_MB", "") or 512) * 1024 * 1024


# Parsed data of immutable revisions, bounded by an estimate of the memory it holds (default
# 512 MB, AISEC_RESULT_CACHE_MB): room for the parsed head result of ~1,000 systems. Revisions
# never change, so nothing is ever invalidated.
RevisionKey = tuple[int, int]  # (store.db.store_key, revision id): ids repeat across databases
_CACHE: LRU[tuple[str, RevisionKey], Any] = LRU(budget=CACHE_BYTES)


def cached(kind: str, revision: RevisionKey, make: Callable[[], T], blob_size: int = 100_000) -> T:
    """Parsed data of an immutable revision (`kind`: result, result-data or payload), kept in
    the byte-budgeted LRU. Callers must treat the returned object as read-only."""
    value: T = _CACHE.get_or_make((kind, revision), make, blob_size * GROWTH.get(kind, 10))
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
    revision: RevisionKey | None = None,
) -> bytes:
    """Render a stored revision: its stored result; frameworks sections from the same inputs."""
    from aisec.service import render_bytes

    if fmt is ReportFormat.JSON:
        return stored_json(blob).encode("utf-8")
    if revision is None:
        result = stored_result(blob)
    else:
        result = cached("result", revision, lambda: stored_result(blob), len(blob))
    if fmt in (ReportFormat.CSV, ReportFormat.XLSX):
        return render_bytes(ReportInput(result=result), fmt)
    payload = (
        stored_payload(blob)
        if revision is None
        else cached("payload", revision, lambda: stored_payload(blob), len(blob))
    )
    report = stored_report_input(
        result, system_text, assessment_text, evidence, payload.get("extras") or {}
    )
    return render_bytes(report, fmt)


def stored_report_input(
    result: AssessmentResult,
    system_text: str,
    assessment_text: str | None,
    evidence: Sequence[tuple[str, bytes]] = (),
    extras: dict[str, Any] | None = None,
) -> ReportInput:
    """What the report of a stored revision shows: its stored result, plus the framework coverage
    and AI Act sections rebuilt from the revision's own inputs and following the result's
    evidence-adjusted control states. The system page and every export build it here, so the two
    cannot drift. `extras`: the stored JSON sections (None: those rebuilt here)."""
    catalog = get_catalog()
    system = parse_system_text(system_text)
    assessment = parse_assessment_text(assessment_text, catalog) if assessment_text else None
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    crosswalks, obligations, rebuilt = compliance_sections(
        catalog, system, assessment, applicable, result.controls
    )
    return ReportInput(
        result=result,
        evidence=tuple(parse_evidence_bytes(raw, name) for name, raw in evidence),
        crosswalks=crosswalks,
        obligations=obligations,
        extras=rebuilt if extras is None else extras,
    )
