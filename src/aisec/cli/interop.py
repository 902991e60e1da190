"""`aisec import ...`, `aisec export ...`, `aisec pack ...`: interop with the tools people use.

Thin edge: each command reads its inputs through the service or an importer, calls one pure
exporter and writes the result atomically. Heavy libraries (trestle, cyclonedx, weasyprint,
openpyxl) load inside the exporters and importers, never when this module is imported.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aisec.cli.app import app
from aisec.cli.outputs import check_output_file, make_console, write_output
from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.fileio import atomic_write_text
from aisec.common.textsafe import markup_safe as escape

import_app = typer.Typer(
    name="import",
    help="Start system files from a CycloneDX ML-BOM or an AI inventory sheet.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    name="export",
    help="Export to OSCAL, CycloneDX, CISO Assistant, trackers (CSV/SARIF) and PDF.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

console = make_console(soft_wrap=True)
err = make_console(stderr=True, soft_wrap=True)

Out = Annotated[Path, typer.Option("--out", "-o", help="File to write ('-' for standard output).")]
Assessment = Annotated[
    Path | None, typer.Option("--assessment", "-a", help="Assessment YAML (control states).")
]
Evidence = Annotated[
    list[Path] | None,
    typer.Option("--evidence", "-e", help="Evidence JSON from aisec scan/probe/mltest."),
]
Overlay = Annotated[
    list[Path] | None, typer.Option("--overlay", help="Catalogue overlay YAML (repeatable).")
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite existing files.")]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _refuse_overwrite(path: Path, force: bool, option: str) -> None:
    if path.exists() and not force:
        raise InputError(
            "exists; an import never overwrites a system file",
            source=str(path),
            field=option,
            hint="choose another path or pass --force",
        )


def _show_questions(imported: object) -> None:
    from aisec.system.importers import ImportedSystem

    assert isinstance(imported, ImportedSystem)
    questions = imported.questions
    err.print(f"{len(questions)} open question(s) for {escape(imported.system_id)}:")
    for n, q in enumerate(questions, 1):
        err.print(f"  Q{n} {escape(q.field)} (now: {escape(q.placeholder)}): {escape(q.text)}")


@import_app.command("cyclonedx")
def import_cyclonedx_cmd(
    bom: Annotated[Path, typer.Argument(help="CycloneDX 1.6/1.7 JSON BOM.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="System YAML to write (default <id>.yaml).")
    ] = None,
    force: Force = False,
) -> int:
    """Turn an ML-BOM into a system description; gaps become marked questions."""
    from aisec.system.importers.cyclonedx_bom import import_cyclonedx

    imported = import_cyclonedx(bom)
    target = out or Path(f"{imported.system_id}.yaml")
    check_output_file(target, "--out")
    _refuse_overwrite(target, force, "--out")
    atomic_write_text(target, imported.to_yaml())
    err.print(f"wrote {escape(str(target))}")
    _show_questions(imported)
    return int(ExitCode.OK)


@export_app.command("cyclonedx")
def export_cyclonedx_cmd(
    system: Annotated[Path, typer.Argument(help="AI-system description (YAML).")],
    out: Out = Path("-"),
) -> int:
    """Write a CycloneDX 1.6 ML-BOM of the system's models and datasets."""
    from aisec import __version__
    from aisec.reports.exporters.cyclonedx_export import bom_document
    from aisec.system import load_system

    check_output_file(out, "--out", allow_stdout=True)
    write_output(out, bom_document(load_system(system), _now(), __version__))
    return int(ExitCode.OK)


class OscalKind(StrEnum):
    CATALOG = "catalog"
    COMPONENT = "component-definition"
    SSP = "ssp"
    RESULTS = "assessment-results"
    POAM = "poam"


@export_app.command("oscal")
def export_oscal_cmd(
    kind: Annotated[OscalKind, typer.Argument(help="Which OSCAL document.")],
    system: Annotated[
        Path | None, typer.Argument(help="AI-system YAML (all kinds but catalog).")
    ] = None,
    assessment: Assessment = None,
    evidence: Evidence = None,
    overlay: Overlay = None,
    out: Out = Path("-"),
) -> int:
    """OSCAL 1.2 JSON, checked by compliance-trestle and the NIST schema before it is written."""
    from aisec import __version__
    from aisec.reports.exporters import oscal_catalog, oscal_poam, oscal_system
    from aisec.service import get_catalog, run_assessment

    check_output_file(out, "--out", allow_stdout=True)
    now = _now()
    if kind is OscalKind.CATALOG:
        text = oscal_catalog.catalog_document(get_catalog(overlay or []), now, __version__)
    else:
        if system is None:
            raise InputError(f"'export oscal {kind.value}' needs a SYSTEM file", field="SYSTEM")
        run = run_assessment(system, assessment, evidence or [], overlay or [], now=now)
        if kind is OscalKind.COMPONENT:
            text = oscal_catalog.component_definition_document(run.result, now)
        elif kind is OscalKind.SSP:
            text = oscal_system.ssp_document(run.system, run.result, now)
        elif kind is OscalKind.RESULTS:
            text = oscal_system.assessment_results_document(run.result, now)
        else:
            text = oscal_poam.poam_document(run.result, now)
    write_output(out, text)
    return int(ExitCode.OK)
