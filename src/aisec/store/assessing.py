"""Run the same analysis as `aisec assess`, from stored text instead of files.

The server keeps the very YAML the CLI reads; this module parses it with the same loaders and
calls the same `analysis.assess` and report renderers, so a file and a stored revision of it
always give the same result.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from aisec.analysis.assess import assess
from aisec.analysis.model import AssessmentResult
from aisec.catalog import Catalog
from aisec.common.errors import InputError
from aisec.common.yamlio import format_loc, load_yaml_text, validate_located
from aisec.evidence import index_evidence
from aisec.probes.finding import EVIDENCE_FORMAT, EvidenceReport
from aisec.reports.compliance import compliance_sections
from aisec.reports.context import ReportInput
from aisec.service import ReportFormat, get_catalog, render
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
    """Same checks as `load_assessment`: schema, then every control id known to the catalogue."""
    if len(text.encode("utf-8")) > MAX_YAML_TEXT:
        raise InputError(f"assessment larger than {MAX_YAML_TEXT} bytes", source=source)
    located = load_yaml_text(text, source)
    if not isinstance(located.data, dict):
        raise InputError("expected a mapping with 'system' and 'controls'", source=source, line=1)
    assessment = validate_located(Assessment, located)
    for control_id in assessment.controls:
        if control_id not in catalog.controls:
            raise InputError(
                f"unknown control {control_id!r}",
                source=source,
                line=located.line_of(("controls", control_id)),
                field=f"controls.{control_id}",
            )
    return assessment


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
    catalog = get_catalog()
    system = parse_system_text(system_text)
    assessment = parse_assessment_text(assessment_text, catalog) if assessment_text else None
    if assessment and assessment.system != system.id:
        raise InputError(
            f"assessment is for system {assessment.system!r}, not {system.id!r}",
            source="assessment.yaml",
            field="system",
        )
    reports = [(name, parse_evidence_bytes(raw, name)) for name, raw in evidence]
    index = index_evidence(reports, set(catalog.controls), set(catalog.threats))
    result = assess(catalog, system, assessment, now or datetime.now(UTC), index)
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    crosswalks, obligations, sections = compliance_sections(catalog, system, assessment, applicable)
    all_extras = {**sections, **(extras or {})}
    report = ReportInput(
        result=result,
        evidence=tuple(r for _, r in reports),
        crosswalks=crosswalks,
        obligations=obligations,
        extras=all_extras,
    )
    payload = {"result": json.loads(result.model_dump_json()), "extras": all_extras}
    blob = zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 1)
    return Outcome(system, report, blob)


def stored_payload(blob: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(zlib.decompress(blob))
    return data


def stored_result(blob: bytes) -> AssessmentResult:
    return AssessmentResult.model_validate(stored_payload(blob)["result"])


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
) -> str:
    """Render a stored revision: its stored result; frameworks sections from the same inputs."""
    if fmt is ReportFormat.JSON:
        return stored_json(blob)
    result = stored_result(blob)
    if fmt is ReportFormat.CSV:
        return render(ReportInput(result=result), fmt)
    catalog = get_catalog()
    system = parse_system_text(system_text)
    assessment = parse_assessment_text(assessment_text, catalog) if assessment_text else None
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    crosswalks, obligations, _ = compliance_sections(catalog, system, assessment, applicable)
    reports = tuple(parse_evidence_bytes(raw, name) for name, raw in evidence)
    payload = stored_payload(blob)
    report = ReportInput(
        result=result,
        evidence=reports,
        crosswalks=crosswalks,
        obligations=obligations,
        extras=payload.get("extras") or {},
    )
    return render(report, fmt)
