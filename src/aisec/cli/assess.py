"""`aisec assess`, `aisec threats`, `aisec init`, `aisec demo`: the core flow."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.table import Table

from aisec.cli.app import app
from aisec.cli.options import JsonOut, fail_on_option
from aisec.cli.outputs import (
    check_output_dir,
    check_output_file,
    check_output_files,
    make_console,
    write_output,
)
from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.fileio import atomic_write_text
from aisec.common.textsafe import markup_safe as escape
from aisec.service import (
    ReportFormat,
    bundled_examples,
    derive_for,
    fails_at,
    get_catalog,
    run_assessment,
    write_reports,
)

console = make_console(soft_wrap=True)
_BAND_STYLE = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold white on red"}


def _formats(value: str) -> list[ReportFormat]:
    out = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        try:
            out.append(ReportFormat(part))
        except ValueError:
            raise InputError(
                f"unknown report format {part!r}",
                field="--format",
                hint="choose among: " + ", ".join(f.value for f in ReportFormat),
            ) from None
    if not out:
        raise InputError("no report format given", field="--format")
    return out


def _summary(run_result, written: list[Path]) -> None:  # type: ignore[no-untyped-def]
    result = run_result
    table = Table(title=f"{escape(result.system_name)} - top risks (residual)", show_lines=False)
    for col in ("threat", "component", "inherent", "residual", "treatment"):
        table.add_column(col, overflow="fold")  # ids wrap whole, never cut to "…"
    for risk in result.risks[:10]:
        table.add_row(
            escape(risk.threat_name),
            escape(risk.component),
            f"[{_BAND_STYLE[risk.inherent_band]}]{risk.inherent} {risk.inherent_band}[/]",
            f"[{_BAND_STYLE[risk.residual_band]}]{risk.residual} {risk.residual_band}[/]",
            escape(risk.treatment),
        )
    console.print(table)
    t = result.totals
    console.print(
        f"{t.threats_applicable} threats apply ({t.threats_excluded} excluded with reasons), "
        f"{t.risks} risk items, {t.risks_above_acceptance} above acceptance ({result.acceptance}); "
        f"readiness {result.readiness.overall.score:.0f}% of our own work "
        f"({t.controls_in_place}/{t.controls_relevant} relevant controls in place"
        + (
            f"; supplier items {result.readiness.supplier.score:.0f}%)."
            if result.readiness.supplier.assessed
            else ")."
        ),
        highlight=False,
    )
    if t.decisions_needed:
        console.print(
            f"[bold]{t.decisions_needed} risk(s) need the owner's decision[/] "
            f"({t.demonstrated} demonstrated by evidence, {t.accepted} accepted).",
            highlight=False,
        )
    for warning in result.warnings:
        console.print(
            f"[yellow]warning[/] {escape(warning.code.value)}: {escape(warning.subject)}: "
            f"{escape(warning.message)}",
            highlight=False,
        )
    for path in written:
        console.print(f"wrote {path}", markup=False, highlight=False)


def _assess_folder(
    folder: Path,
    out: Path,
    formats: list[ReportFormat],
    overlay: list[Path],
    keys: list[Path],
    fail_on: str | None,
    allow_weakening: bool,
) -> int:
    """`aisec assess DIR`: every system in the folder, each report and the portfolio page."""
    from aisec.portfolio import discover, run_portfolio, write_portfolio

    entries, skipped = discover(folder)
    for line in skipped:
        console.print(f"skipped {line}", markup=False, highlight=False)
    if not entries:
        console.print("[yellow]no system file found: nothing assessed[/]")
        return int(ExitCode.NOTHING_ASSESSED)
    runs = run_portfolio(entries, overlay, keys, allow_weakening=allow_weakening)
    written = write_portfolio(runs, out, formats)
    for run in runs:
        _summary(run.result, [])
    for path in written:
        console.print(f"wrote {path}", markup=False, highlight=False)
    if not any(run.result.risks for run in runs):
        return int(ExitCode.NOTHING_ASSESSED)
    if fail_on and any(fails_at(run.result, fail_on) for run in runs):
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)


@app.command("assess")
def assess_cmd(
    system: Path = typer.Argument(
        ...,
        help="AI-system description (YAML), or a folder: every system in it, with its "
        "<stem>.assessment.yaml and evidence/<id>-*.json, plus the portfolio page.",
    ),
    assessment: Path | None = typer.Option(
        None, "--assessment", "-a", help="Assessment YAML (control states, decisions)."
    ),
    evidence: list[Path] = typer.Option(
        [], "--evidence", "-e", help="Evidence JSON from aisec scan/probe/mltest."
    ),
    evidence_key: list[Path] = typer.Option(
        [],
        "--evidence-key",
        metavar="PEM",
        help="Trusted public key: evidence with a valid <file>.sig counts as signed (repeatable).",
    ),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the reports."),
    fmt: str = typer.Option(
        "html,json,md,csv,xlsx",
        "--format",
        "-f",
        help="Comma-separated: html,json,md,csv,xlsx.",
    ),
    fail_on: str | None = fail_on_option(None, what="a residual risk's band"),
    overlay: list[Path] = typer.Option(
        [], "--overlay", help="Catalogue overlay YAML (repeatable)."
    ),
    allow_weakening: bool = typer.Option(
        False, "--allow-weakening", help="Accept overlays that weaken bundled records (flagged)."
    ),
    supplier_pack: list[Path] = typer.Option(
        [], "--supplier-pack", help="Vendor evidence pack folder (aisec pack create; repeatable)."
    ),
    supplier_key: list[Path] = typer.Option(
        [], "--supplier-key", metavar="PEM", help="The vendor's public key you trust (repeatable)."
    ),
) -> int:
    """Derive threats, score inherent and residual risk, and write the reports."""
    # One --fail-on vocabulary (docs/cli.md): bands low..critical; info acts as low, never off.
    fail_on = {"info": "low", "never": None}.get(fail_on, fail_on) if fail_on else None
    formats = _formats(fmt)
    check_output_dir(out, "--out")
    if system.is_dir():
        if assessment is not None or evidence:
            raise InputError(
                "with a folder, assessments and evidence are found beside each system file",
                field="--assessment/--evidence",
                hint="name them <stem>.assessment.yaml and evidence/<system id>-*.json",
            )
        return _assess_folder(system, out, formats, overlay, evidence_key, fail_on, allow_weakening)
    run = run_assessment(
        system,
        assessment,
        evidence,
        overlay,
        allow_weakening=allow_weakening,
        trusted_keys=evidence_key,
        supplier_packs=supplier_pack,
        supplier_keys=supplier_key,
    )
    written = write_reports(run.report, out, formats)
    _summary(run.result, written)
    if not run.result.risks:
        console.print("[yellow]no threat applies: nothing assessed (this is not a clean bill)[/]")
        return int(ExitCode.NOTHING_ASSESSED)
    if fail_on and fails_at(run.result, fail_on):
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)


@app.command("threats")
def threats_cmd(
    system: Path = typer.Argument(..., help="AI-system description (YAML)."),
    show_excluded: bool = typer.Option(
        True, "--excluded/--no-excluded", help="List excluded threats with reasons."
    ),
    overlay: list[Path] = typer.Option(
        [], "--overlay", help="Catalogue overlay YAML (repeatable)."
    ),
    json_out: JsonOut = None,
) -> int:
    """List the threats that apply to a system, each with the facts behind it."""
    to_stdout = check_output_files([("--json", json_out)])
    sys_model, decisions = derive_for(system, overlay)
    if json_out is not None:
        doc = {
            "format": "aisec-threats/1",
            "system": sys_model.id,
            "system_name": sys_model.name,
            "threats": [d.model_dump(mode="json") for d in decisions],
        }
        if write_output(json_out, json.dumps(doc, indent=2, ensure_ascii=False)):
            console.print(f"wrote {json_out}", markup=False, highlight=False)
        if to_stdout:
            return int(ExitCode.OK)
    table = Table(title=f"Threats for {escape(sys_model.name)}", show_lines=True)
    table.add_column("threat")
    table.add_column("component")
    table.add_column("applies")
    table.add_column("why")
    from rich.text import Text

    from aisec.common.textsafe import terminal_safe

    yes, no = Text.assemble(("yes", "green")), Text.assemble(("no", "dim"))
    for d in decisions:  # Text, not markup: nothing to escape and parse again (100s of cells)
        if not d.applicable and not show_excluded:
            continue
        why = Text(terminal_safe("; ".join(d.rationale)))
        if d.aggravating:
            why.append("\n")
            why.append("aggravated:", style="red")
            why.append(" " + terminal_safe("; ".join(d.aggravating)))
        table.add_row(
            Text(terminal_safe(d.threat_name)),
            Text(terminal_safe(d.component)),
            yes if d.applicable else no,
            why,
        )
    console.print(table)
    return int(ExitCode.OK)


@app.command("init")
def init_cmd(
    system: Path = typer.Argument(..., help="AI-system description (YAML)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Where to write (default: SYSTEM.assessment.yaml)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    overlay: list[Path] = typer.Option(
        [], "--overlay", help="Catalogue overlay YAML (repeatable): its controls are listed too."
    ),
) -> int:
    """Scaffold an assessment file from the threats that apply to the system."""
    from aisec.scaffold import scaffold_assessment
    from aisec.system import load_system

    catalog = get_catalog(overlay)
    sys_model = load_system(system)
    target = out or system.with_name(system.stem + ".assessment.yaml")
    check_output_file(target, "--out")
    if target.exists() and not force:
        raise InputError(
            "file exists; not overwriting your work", source=str(target), hint="use --force"
        )
    atomic_write_text(target, scaffold_assessment(catalog, sys_model, date.today().isoformat()))
    console.print(f"wrote {target}", markup=False, highlight=False)
    return int(ExitCode.OK)


@app.command("demo")
def demo_cmd(
    out: Path = typer.Option(Path("out/demo"), "--out", "-o", help="Folder for the reports."),
    probes: bool = typer.Option(
        True, "--probes/--no-probes", help="Run the bundled probes for evidence."
    ),
) -> int:
    """Assess every bundled example system and write its reports (the main job).

    With --probes (default), model files are scanned, the agent is probed against aisec's local
    reference target and, if the ml extra is installed, the fraud model is tested; the evidence
    is attached to each assessment.
    """
    from aisec.demo import demo_evidence
    from aisec.system import load_system

    check_output_dir(out, "--out")
    now = datetime.now(UTC)
    index = []
    for system_id, system_path, assessment_path in bundled_examples():
        evidence: list[Path] = []
        if probes:
            console.print(f"[bold]{system_id}[/]: collecting evidence")
            evidence = demo_evidence(
                load_system(system_path),
                system_path,
                out / "evidence",
                lambda line: console.print(line, highlight=False, markup=False),
            )
        run = run_assessment(system_path, assessment_path, evidence, (), now)
        written = write_reports(run.report, out, list(ReportFormat))
        index.append((system_id, run.result, written))
        t = run.result.totals
        console.print(
            f"[bold]{escape(run.result.system_name)}[/]: {t.threats_applicable} threats, "
            f"max residual {t.max_residual}, readiness {run.result.readiness.overall.score:.0f}%"
        )
    from aisec.reports.index_page import render_index

    index_path = out / "index.html"
    atomic_write_text(index_path, render_index([(sid, res) for sid, res, _ in index]))
    console.print(
        f"\nReports written to {out.resolve()} - open {index_path.resolve()}",
        markup=False,
        highlight=False,
    )
    return int(ExitCode.OK)


@app.command("schema")
def schema_cmd(which: str = typer.Argument(..., help="result | system | assessment")) -> int:
    """Print the JSON Schema of the result, system or assessment files."""
    import json

    from pydantic import BaseModel

    from aisec.analysis.model import AssessmentResult
    from aisec.system.assessment import Assessment
    from aisec.system.schema import AISystem

    models: dict[str, type[BaseModel]] = {
        "result": AssessmentResult,
        "system": AISystem,
        "assessment": Assessment,
    }
    if which not in models:
        raise InputError(f"unknown schema {which!r}", hint="result | system | assessment")
    typer.echo(json.dumps(models[which].model_json_schema(), indent=2))
    return int(ExitCode.OK)
