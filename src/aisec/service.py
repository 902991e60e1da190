"""Service layer shared by the CLI and the web app: load inputs, run the analysis, write reports.

All file I/O of the core flow happens here; `aisec.analysis` stays pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from aisec.analysis.derive import derive_threats
from aisec.analysis.model import AssessmentResult, InputFile, ThreatDecision
from aisec.catalog import Catalog, build_catalog, default_catalog
from aisec.catalog.overlay_diff import diff_overlays, require_no_weakening
from aisec.common.errors import InputError
from aisec.common.fileio import atomic_write_bytes
from aisec.common.runset import begin_run_set, finish_run_set
from aisec.system import AISystem, load_system
from aisec.system.assessment import Assessment, load_assessment
from aisec.system.repeats import collapse_repeated_models, repeat_notes

if TYPE_CHECKING:  # imported where used: `aisec threats` and `--help` stay light (docs/cli.md)
    from aisec.evidence.signature import SignatureCheck
    from aisec.reports.context import ReportInput


class ReportFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    MD = "md"
    CSV = "csv"
    XLSX = "xlsx"


BAND_ORDER = ["low", "medium", "high", "critical"]


def get_catalog(overlays: Sequence[Path] = ()) -> Catalog:
    return build_catalog(overlays) if overlays else default_catalog()


@dataclass(frozen=True)
class AssessmentRun:
    system: AISystem
    report: ReportInput

    @property
    def result(self) -> AssessmentResult:
        return self.report.result


def run_assessment(
    system_path: Path,
    assessment_path: Path | None = None,
    evidence_paths: Iterable[Path] = (),
    overlays: Sequence[Path] = (),
    now: datetime | None = None,
    trusted_keys: Sequence[Path] = (),
    allow_weakening: bool = False,
    supplier_packs: Sequence[Path] = (),
    supplier_keys: Sequence[Path] = (),
) -> AssessmentRun:
    from aisec.analysis.assess import assess
    from aisec.evidence.intake import read_evidence
    from aisec.record import input_file
    from aisec.reports.compliance import compliance_sections
    from aisec.reports.context import ReportInput

    catalog = get_catalog(overlays)
    overlay_diffs = diff_overlays(overlays) if overlays else []
    require_no_weakening(overlay_diffs, allow=allow_weakening)
    system = load_system(system_path)
    assessment = (
        load_assessment(assessment_path, set(catalog.controls), set(catalog.threats))
        if assessment_path
        else None
    )
    if assessment and assessment.system != system.id:
        raise InputError(
            f"assessment is for system {assessment.system!r}, not {system.id!r}",
            source=str(assessment_path),
            field="system",
        )
    pack_notes: list[str] = []
    if supplier_packs:  # vendor evidence packs: supplier-provided controls, verified or claimed
        from aisec.evidence.pack import apply_packs, describe

        assessment, checks = apply_packs(assessment, system.id, supplier_packs, supplier_keys)
        pack_notes = [describe(c) for c in checks]
    system, repeats = collapse_repeated_models(
        system, keep=_named_in(assessment, system) if assessment else ()
    )
    now = now or datetime.now(UTC)
    keys = list(trusted_keys)
    if assessment and assessment_path:
        keys += [assessment_path.parent / k for k in assessment.evidence.trusted_keys]
    loaded = [read_evidence(p, keys, now) for p in evidence_paths]
    inputs = [input_file("system", system_path)]
    if assessment_path:
        inputs.append(input_file("assessment", assessment_path))
    inputs += [input_file("evidence", Path(e.path), e.sha256) for e in loaded]
    inputs += [input_file("overlay", p) for p in overlays]
    inputs += [input_file("trusted-key", k) for k in keys]
    result = assess(catalog, system, assessment, now, loaded_evidence=loaded, inputs=inputs)
    result = _warn_open_questions(
        result, system_path.read_text(encoding="utf-8", errors="replace"), system_path.name
    )
    extra_notes = [d.note() for d in overlay_diffs] + repeat_notes(repeats) + pack_notes
    if extra_notes:  # overlays named with hash and changes; collapsed models named
        result = result.model_copy(update={"notes": [*result.notes, *extra_notes]})
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    crosswalks, obligations, extras = compliance_sections(
        catalog, system, assessment, applicable, result.controls
    )
    return AssessmentRun(
        system,
        ReportInput(
            result=result,
            evidence=tuple(e.report for e in loaded),
            crosswalks=crosswalks,
            obligations=obligations,
            extras=extras,
        ),
    )


def _warn_open_questions(result: AssessmentResult, text: str, name: str) -> AssessmentResult:
    """An imported system file whose '# QUESTION' placeholders are still unanswered is warned
    about: its guessed exposure, tools and outputs may understate the risk. One check for the
    CLI (file text) and the server (stored text)."""
    from aisec.analysis.model import CheckWarning, WarningCode
    from aisec.system.importers.scaffold import open_questions

    asked = open_questions(text)
    if not asked:
        return result
    warning = CheckWarning(
        code=WarningCode.IMPORT_QUESTIONS_OPEN,
        subject=name,
        message=f"{len(asked)} import question(s) still unanswered, so the risks rest on "
        f"placeholders: {', '.join(asked)}",
    )
    return result.model_copy(update={"warnings": [*result.warnings, warning]})


def run_loaded(
    system: AISystem,
    assessment: Assessment | None,
    evidence: Sequence[tuple[str, bytes]] = (),
    overlays: Sequence[Path] = (),
    now: datetime | None = None,
    inputs: Sequence[InputFile] = (),
    signatures: Mapping[str, SignatureCheck] | None = None,
    system_text: str | None = None,
    crosswalk_models: bool = True,
) -> AssessmentRun:
    """The same analysis as `run_assessment` for inputs already in memory (the team server
    stores YAML text and evidence bytes). Evidence is parsed, hashed, bound and aged here;
    `signatures` gives the signature check per evidence name (default: unsigned);
    `inputs` are the manifest entries of the system and assessment texts; `system_text` (the
    stored YAML) gets the same open-import-questions check as a file. `crosswalk_models=False`
    (a caller that only stores the result and extras) leaves `report.crosswalks` empty."""
    from aisec.analysis.assess import assess
    from aisec.evidence.intake import LoadedEvidence, unsigned
    from aisec.evidence.load import parse_evidence
    from aisec.reports.compliance import compliance_sections
    from aisec.reports.context import ReportInput

    catalog = get_catalog(overlays)
    if assessment and assessment.system != system.id:
        raise InputError(
            f"assessment is for system {assessment.system!r}, not {system.id!r}",
            field="system",
        )
    system, repeats = collapse_repeated_models(
        system, keep=_named_in(assessment, system) if assessment else ()
    )
    now = now or datetime.now(UTC)
    loaded = [
        LoadedEvidence(
            path=name,
            sha256=hashlib.sha256(raw).hexdigest(),
            report=parse_evidence(raw, Path(name), now),
            signature=(signatures or {}).get(name, unsigned()),
        )
        for name, raw in evidence
    ]
    manifest = list(inputs) + [
        InputFile(
            kind="evidence",
            path=e.path,
            name=Path(e.path).name,
            sha256=e.sha256,
            size=len(raw),
        )
        for e, (_, raw) in zip(loaded, evidence, strict=True)
    ]
    result = assess(catalog, system, assessment, now, loaded_evidence=loaded, inputs=manifest)
    if system_text is not None:
        name = next((i.name for i in inputs if i.kind == "system"), f"{system.id}.yaml")
        result = _warn_open_questions(result, system_text, name)
    if repeats:
        result = result.model_copy(update={"notes": [*result.notes, *repeat_notes(repeats)]})
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    crosswalks, obligations, extras = compliance_sections(
        catalog, system, assessment, applicable, result.controls, models=crosswalk_models
    )
    return AssessmentRun(
        system,
        ReportInput(
            result=result,
            evidence=tuple(e.report for e in loaded),
            crosswalks=crosswalks,
            obligations=obligations,
            extras=extras,
        ),
    )


def text_input(kind: str, name: str, text: str) -> InputFile:
    """Manifest entry for an input held as text (system or assessment YAML on the server)."""
    raw = text.encode("utf-8")
    return InputFile(
        kind=kind,
        path=name,
        name=Path(name).name,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
    )


def _named_in(assessment: object, system: AISystem) -> set[str]:
    """Model ids an assessment mentions (decisions per component): never collapsed."""
    text = assessment.model_dump_json() if hasattr(assessment, "model_dump_json") else ""
    return {m.id for m in system.models if f'"{m.id}"' in text}


def render_bytes(report: ReportInput, fmt: ReportFormat) -> bytes:
    """Any format as the bytes written to disk (XLSX is binary; text formats are UTF-8)."""
    if fmt is ReportFormat.XLSX:
        from aisec.reports.xlsx_register import render_xlsx

        return render_xlsx(report.result)
    return render(report, fmt).encode("utf-8")


def render(report: ReportInput, fmt: ReportFormat) -> str:
    """Text formats; XLSX is binary (`render_bytes`)."""
    if fmt is ReportFormat.XLSX:
        raise InputError("the xlsx register is binary", hint="use render_bytes()")
    if fmt is ReportFormat.JSON:
        from aisec.reports.json_report import render_json

        return render_json(report.result, report.extras)
    if fmt is ReportFormat.CSV:
        from aisec.reports.csv_register import render_risk_register

        return render_risk_register(report.result)
    if fmt is ReportFormat.MD:
        from aisec.reports.markdown import render_markdown

        return render_markdown(report)
    from aisec.reports.html import render_html

    return render_html(report)


_SUFFIX = {
    ReportFormat.HTML: ".html",
    ReportFormat.JSON: ".json",
    ReportFormat.MD: ".md",
    ReportFormat.CSV: "-risk-register.csv",
    ReportFormat.XLSX: "-register.xlsx",
}


def write_reports(
    report: ReportInput, out_dir: Path, formats: Iterable[ReportFormat]
) -> list[Path]:
    """Render every format first, then write each atomically: a failure writes nothing half-done."""
    rendered = [(fmt, render_bytes(report, fmt)) for fmt in formats]
    paths = []
    run_id = begin_run_set(out_dir, report.result.system_id)  # stale temporaries, old manifest
    for fmt, data in rendered:
        path = out_dir / f"{report.result.system_id}{_SUFFIX[fmt]}"
        atomic_write_bytes(path, data)
        paths.append(path)
    finish_run_set(out_dir, report.result.system_id, run_id, paths)  # written last: one run
    return paths


def fails_at(result: AssessmentResult, level: str) -> bool:
    threshold = BAND_ORDER.index(level)
    return any(BAND_ORDER.index(r.residual_band) >= threshold for r in result.risks)


def derive_for(
    system_path: Path, overlays: Sequence[Path] = ()
) -> tuple[AISystem, list[ThreatDecision]]:
    catalog = get_catalog(overlays)
    system = load_system(system_path)
    return system, derive_threats(catalog, system)


def derive_system(system: AISystem, overlays: Sequence[Path] = ()) -> list[ThreatDecision]:
    """Threat decisions for a system already in memory (the web form's live preview)."""
    return derive_threats(get_catalog(overlays), system)


def bundled_examples() -> list[tuple[str, Path, Path | None]]:
    """(system id, system file, assessment file or None) for each packaged example."""
    root = Path(str(resources.files("aisec").joinpath("examples")))
    out = []
    for path in sorted(root.glob("*.yaml")):
        if path.name.endswith(".assessment.yaml"):
            continue
        assessment = path.with_name(path.stem + ".assessment.yaml")
        out.append((path.stem, path, assessment if assessment.exists() else None))
    return out
