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
from aisec.cli.options import JsonOut
from aisec.cli.outputs import (
    check_output_dir,
    check_output_file,
    check_output_files,
    is_stdout,
    make_console,
    write_output,
)
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


def _questions_json(pairs: list[tuple[object, Path]]) -> str:
    """aisec-import/1: per written file, the open questions (for scripts and trackers)."""
    import json

    from aisec.system.importers import ImportedSystem

    systems = []
    for imported, path in pairs:
        assert isinstance(imported, ImportedSystem)
        systems.append(
            {
                "system_id": imported.system_id,
                "file": str(path),
                "source": imported.source,
                "questions": [
                    {
                        "id": f"Q{n}",
                        "field": q.field,
                        "question": q.text,
                        "placeholder": q.placeholder,
                    }
                    for n, q in enumerate(imported.questions, 1)
                ],
            }
        )
    return json.dumps({"format": "aisec-import/1", "systems": systems}, indent=2) + "\n"


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
    json_out: JsonOut = None,
) -> int:
    """Turn an ML-BOM into a system description; gaps become marked questions."""
    from aisec.system.importers.cyclonedx_bom import import_cyclonedx

    check_output_files([("--json", json_out)])
    imported = import_cyclonedx(bom)
    target = out or Path(f"{imported.system_id}.yaml")
    check_output_file(target, "--out")
    _refuse_overwrite(target, force, "--out")
    atomic_write_text(target, imported.to_yaml())
    err.print(f"wrote {escape(str(target))}")
    _show_questions(imported)
    if json_out is not None:
        write_output(json_out, _questions_json([(imported, target)]))
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


pack_app = typer.Typer(
    name="pack",
    help="Vendor -> integrator evidence pack: create (signed), verify, make a key pair.",
    no_args_is_help=True,
)
app.add_typer(pack_app, name="pack")


@pack_app.command("keygen")
def pack_keygen_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the key pair.")] = Path("."),
) -> int:
    """Make an offline EC P-256 key pair for signing packs (private key file mode 0600)."""
    from aisec.evidence.pack import generate_key_pair, key_fingerprint

    check_output_dir(out, "--out")
    private, public = generate_key_pair(out)
    err.print(f"private key {escape(str(private))} (keep it secret)")
    err.print(f"public key  {escape(str(public))}: give it to your customers")
    console.print(f"fingerprint {key_fingerprint(public.read_bytes())}")
    return int(ExitCode.OK)


@pack_app.command("create")
def pack_create_cmd(
    system: Annotated[Path, typer.Argument(help="The vendor's model or AI-service system YAML.")],
    key: Annotated[Path, typer.Option("--key", help="Private key PEM (aisec pack keygen).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Pack folder to create.")],
    assessment: Assessment = None,
    evidence: Evidence = None,
    overlay: Overlay = None,
    vendor: Annotated[
        str | None, typer.Option("--vendor", help="Vendor name (default: system owner).")
    ] = None,
) -> int:
    """Bundle the component definition and evidence files, hash each, sign the manifest."""
    from aisec import __version__
    from aisec.evidence.pack import PackControl, create_pack
    from aisec.reports.exporters.oscal_catalog import (
        RESPONSIBILITY,
        component_definition_document,
    )
    from aisec.service import run_assessment

    check_output_dir(out, "--out")
    if not key.is_file():
        raise InputError("private key not found", source=str(key), field="--key")
    files = list(evidence or [])
    now = _now()
    run = run_assessment(system, assessment, files, overlay or [], now=now)
    packed = {Path(p).name for p in files}
    controls = [
        PackControl(
            id=v.id,
            responsibility=RESPONSIBILITY[v.role],
            status=v.effective_status.value,
            evidence=tuple(
                f"evidence/{Path(s).name}"
                for s in (v.evidence_outcome.sources if v.evidence_outcome else [])
                if Path(s).name in packed
            ),
        )
        for v in run.result.controls
        if v.relevant and v.applicable
    ]
    manifest = create_pack(
        out,
        vendor=vendor or run.system.owner.name,
        system_id=run.system.id,
        component_definition=component_definition_document(run.result, now),
        controls=controls,
        evidence=files,
        private_key=key,
        created=now,
        aisec_version=__version__,
    )
    provided = sum(c.responsibility == "provided" for c in controls)
    err.print(
        f"wrote {escape(str(out))}: {len(files)} evidence file(s), {provided} provided "
        f"control(s), manifest {escape(manifest.name)} signed"
    )
    return int(ExitCode.OK)


@pack_app.command("verify")
def pack_verify_cmd(
    pack: Annotated[Path, typer.Argument(help="Pack folder from a vendor.")],
    key: Annotated[
        list[Path] | None,
        typer.Option("--key", help="The vendor's public key you trust (repeatable)."),
    ] = None,
    json_out: JsonOut = None,
) -> int:
    """Check the signature and every file's SHA-256; exit 1 when anything does not verify."""
    import json

    from aisec.evidence.pack import verify_pack

    check_output_files([("--json", json_out)])
    check = verify_pack(pack, key or [])
    if json_out is not None:
        document = {
            "format": "aisec-pack-check/1",
            "pack": str(pack),
            "vendor": check.vendor,
            "system_id": check.system_id,
            "verified": check.verified,
            "signature_valid": check.signature_valid,
            "key_fingerprint": check.key_fingerprint,
            "key_trusted": check.key_trusted,
            "problems": check.problems,
            "provided": [c.id for c in check.provided],
        }
        write_output(json_out, json.dumps(document, indent=2) + "\n")
    state = "verified" if check.verified else f"NOT verified: {check.why_not}"
    show = err if is_stdout(json_out) else console
    show.print(f"{escape(str(pack))}: {escape(state)}")
    show.print(
        f"  vendor {escape(check.vendor)}, key {check.key_fingerprint or 'unknown'}"
        f" ({'pinned' if check.key_trusted else 'not pinned'})"
    )
    for problem in check.problems:
        show.print(f"  [red]{escape(problem)}[/red]")
    show.print(f"  {len(check.provided)} control(s) provided by the supplier")
    return int(ExitCode.OK if check.verified else ExitCode.FINDINGS)


@export_app.command("ciso-assistant")
def export_ciso_assistant_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the library YAML files.")],
    overlay: Overlay = None,
) -> int:
    """aisec's threats, controls and requirement tree as a CISO Assistant library, plus one
    mapping library per framework CISO Assistant ships and aisec crosswalks to."""
    from aisec.catalog.crosswalk import default_crosswalks
    from aisec.reports.exporters.ciso_assistant import (
        REF,
        library_document,
        mapping_documents,
        to_yaml,
    )
    from aisec.service import get_catalog

    check_output_dir(out, "--out")
    catalog = get_catalog(overlay or [])
    day = _now().date()
    documents = {REF: library_document(catalog, day)}
    documents.update(mapping_documents(catalog, default_crosswalks(), day))
    texts = {f"{name}.yaml": to_yaml(doc) for name, doc in documents.items()}
    for name, text in texts.items():
        atomic_write_text(out / name, text)
        console.print(f"wrote {escape(str(out / name))}")
    return int(ExitCode.OK)


@export_app.command("roadmap")
def export_roadmap_cmd(
    system: Annotated[Path, typer.Argument(help="AI-system description (YAML).")],
    assessment: Assessment = None,
    evidence: Evidence = None,
    overlay: Overlay = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Tracker CSV to write ('-' for stdout).")
    ] = None,
    sarif: Annotated[
        Path | None,
        typer.Option("--sarif", help="SARIF for items whose failing evidence names a file."),
    ] = None,
    style: Annotated[str, typer.Option("--style", help="CSV columns: jira | github.")] = "jira",
) -> int:
    """Roadmap items as issues (CSV for Jira or GitHub) and as SARIF where a file is at fault."""
    import json

    from aisec import __version__
    from aisec.reports.exporters.trackers import TrackerStyle, roadmap_csv, roadmap_sarif
    from aisec.service import run_assessment

    try:
        chosen = TrackerStyle(style)
    except ValueError:
        raise InputError(
            f"unknown style {style!r}", field="--style", hint="jira | github"
        ) from None
    if out is None and sarif is None:
        out = Path("-")
    check_output_files([("--out", out), ("--sarif", sarif)])
    run = run_assessment(system, assessment, evidence or [], overlay or [], now=_now())
    if out is not None:
        write_output(out, roadmap_csv(run.result, chosen))
    if sarif is not None:
        document = roadmap_sarif(run.result, run.report.evidence, __version__)
        write_output(sarif, json.dumps(document, indent=2) + "\n")
    return int(ExitCode.OK)


@export_app.command("pdf")
def export_pdf_cmd(
    system: Annotated[Path | None, typer.Argument(help="AI-system YAML (or give --html).")] = None,
    assessment: Assessment = None,
    evidence: Evidence = None,
    overlay: Overlay = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Convert an aisec HTML report already written instead."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write.")] = Path(
        "report.pdf"
    ),
) -> int:
    """The assessment report (or any aisec HTML report) as PDF: page headers name the system,
    its revision (hash of the inputs) and date; pages are numbered."""
    import hashlib
    import re
    from html import unescape

    from aisec.common.fileio import atomic_write_bytes
    from aisec.reports.pdf import PageHeader, html_to_pdf, revision_of

    if str(out) == "-":
        raise InputError("a PDF is binary: give a file name", field="--out")
    check_output_file(out, "--out")
    if (system is None) == (html is None):
        raise InputError("give either SYSTEM or --html REPORT.html", field="SYSTEM")
    if html is not None:
        raw = html.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        title = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
        header = PageHeader(
            system=(unescape(title.group(1)).strip() if title else html.stem)[:120],
            revision=revision_of([hashlib.sha256(raw).hexdigest()]),
            date=_now().date().isoformat(),
        )
    else:
        from aisec.reports.pdf import report_pdf
        from aisec.service import run_assessment

        assert system is not None
        run = run_assessment(system, assessment, evidence or [], overlay or [], now=_now())
        atomic_write_bytes(out, report_pdf(run.report))
        err.print(f"wrote {escape(str(out))}")
        return int(ExitCode.OK)
    atomic_write_bytes(out, html_to_pdf(text, header))
    err.print(f"wrote {escape(str(out))}")
    return int(ExitCode.OK)


@import_app.command("inventory")
def import_inventory_cmd(
    sheet: Annotated[
        Path | None, typer.Argument(help="AI inventory sheet (.csv or .xlsx), one system a row.")
    ] = None,
    column_map: Annotated[
        Path | None,
        typer.Option("--map", help="Column map YAML (see 'aisec import inventory --template')."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the system files.")] = Path(
        "systems"
    ),
    template: Annotated[
        bool, typer.Option("--template", help="Write the template sheet and map to --out.")
    ] = False,
    force: Force = False,
    json_out: JsonOut = None,
) -> int:
    """One system YAML per row; what the sheet does not say becomes marked questions."""
    from aisec.system.importers.inventory import import_inventory, write_template

    check_output_dir(out, "--out")
    if template:
        if sheet is not None:  # 'aisec import inventory --template DIR' would write elsewhere
            raise InputError(
                "--template writes to --out and takes no SHEET",
                field="SHEET",
                hint=f"aisec import inventory --template -o {sheet}",
            )
        for path in write_template(out):
            err.print(f"wrote {escape(str(path))}")
        return int(ExitCode.OK)
    if sheet is None or column_map is None:
        raise InputError(
            "give the SHEET and --map COLUMNS.yaml",
            field="SHEET" if sheet is None else "--map",
            hint="'aisec import inventory --template -o DIR' writes a sheet and map to start from",
        )
    check_output_files([("--json", json_out)])
    systems = import_inventory(sheet, column_map)  # every row checked before any write
    targets = [out / f"{s.system_id}.yaml" for s in systems]
    for target in targets:
        _refuse_overwrite(target, force, "--out")
    for imported, target in zip(systems, targets, strict=True):
        atomic_write_text(target, imported.to_yaml())
        err.print(f"wrote {escape(str(target))} ({len(imported.questions)} question(s))")
    for imported in systems:
        _show_questions(imported)
    if json_out is not None:
        write_output(json_out, _questions_json(list(zip(systems, targets, strict=True))))
    return int(ExitCode.OK)
