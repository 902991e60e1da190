"""`aisec crosswalk`: what aisec's catalogue, or an assessed system, gives for another framework.

Thin edge: parse arguments, load the inputs, call `aisec.analysis.coverage.coverage` (and, for
the AI Act with a system, `aisec.analysis.obligations.obligations`), print a Rich table and
optionally write the same results as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from aisec.cli.app import app
from aisec.cli.options import Evidence, JsonOut, deprecated_option, fail_on_option, fails
from aisec.cli.outputs import make_console
from aisec.common.errors import InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.textsafe import markup_safe as escape

if TYPE_CHECKING:
    from aisec.analysis.coverage import ItemCoverage

console = make_console()

_STYLE = {
    "supported": "green",
    "partly": "yellow",
    "not-supported": "red",
    "not-applicable": "dim",
    "touched": "cyan",
    "not-mapped": "magenta",
    "outside-scope": "dim",
}
GAPS = {"partly", "not-supported", "not-mapped"}


def _list_frameworks() -> int:
    from aisec.catalog.crosswalk import default_crosswalks
    from aisec.catalog.frameworks import default_frameworks

    crosswalks = default_crosswalks()
    table = Table(title="Frameworks aisec crosswalks to")
    for column in ("framework", "name", "version", "items", "links", "licence"):
        table.add_column(column)
    for key, framework in default_frameworks().items():
        table.add_row(
            key,
            framework.name,
            framework.version,
            str(len(framework.items)),
            str(len(crosswalks[key].links)),
            framework.licence,
        )
    console.print(table)
    return int(ExitCode.OK)


def _controls_cell(item: ItemCoverage) -> str:
    """One line per control: id (relationship; status) and its evidence, markup-escaped."""
    parts = []
    for control in item.controls:
        status = control.status.value if control.status else "-"
        if not control.applicable:
            status = "n/a"
        rel = control.relationship.value if control.relationship else "via threat"
        line = f"{control.control} ({rel}; {status})"
        if control.evidence:
            line += " evidence: " + ", ".join(control.evidence)
        parts.append(escape(line))
    if item.note and parts and item.status.value == "not-applicable":
        parts.insert(0, escape(item.note))  # why it is not this system's item comes first
    return "\n".join(parts) or escape(item.note or "")


@app.command("crosswalk")
def crosswalk_cmd(
    framework: str | None = typer.Argument(
        None,
        help="iso42001, iso27001, nist-ai-rmf, nist-ai-600-1, nist-ai-100-2, eu-ai-act, "
        "anssi-genai, uk-ai-cop, atlas, owasp-llm, owasp-ml, owasp-agentic",
    ),
    system: Path | None = typer.Argument(None, help="AI-system description (YAML)."),
    assessment: Path | None = typer.Option(
        None, "--assessment", "-a", help="Assessment YAML with control states."
    ),
    json_out: JsonOut = None,
    evidence: Evidence = [],  # noqa: B006 (typer reads the default; never mutated)
    evidence_key: list[Path] = typer.Option(
        [], "--evidence-key", metavar="PEM", help="Trusted public key for signed evidence."
    ),
    gaps: bool = typer.Option(False, "--gaps", help="Show only partly / not supported / unmapped."),
    list_: bool = typer.Option(
        False, "--list", hidden=True, callback=deprecated_option("--list", "aisec crosswalk list")
    ),
    fail_on: str | None = fail_on_option(None, what="a gap (critical/high: not supported)"),
    overlay: list[Path] = typer.Option(
        [], "--overlay", help="Catalogue overlay YAML (repeatable), as for assess."
    ),
) -> int:
    """Coverage of a framework by aisec controls; with an assessment, per-item support."""
    from aisec.analysis.coverage import coverage, states_from_views
    from aisec.analysis.derive import derive_threats
    from aisec.analysis.obligations import obligations, scope_ai_act_coverage
    from aisec.catalog import build_catalog, default_catalog
    from aisec.catalog.crosswalk import default_crosswalks
    from aisec.catalog.frameworks import FRAMEWORK_KEYS, default_frameworks
    from aisec.cli.outputs import check_output_files, write_output
    from aisec.common.yamlio import load_yaml_file
    from aisec.service import run_assessment
    from aisec.system.loader import load_system

    if list_ or framework == "list":
        return _list_frameworks()
    # stdout carries the JSON when --json is '-'; the table then goes to stderr
    out = make_console(stderr=True) if check_output_files([("--json", json_out)]) else console
    if framework not in FRAMEWORK_KEYS:
        raise InputError(
            f"unknown framework {framework!r}" if framework else "name a framework",
            field="FRAMEWORK",
            hint="one of: " + ", ".join(FRAMEWORK_KEYS) + " (or: aisec crosswalk list)",
        )
    if assessment is not None and system is None:
        raise InputError("--assessment needs the SYSTEM.yaml it assesses", field="SYSTEM")
    catalog = build_catalog(overlay) if overlay else default_catalog()
    crosswalks = default_crosswalks()
    states = applicable = sys_model = None
    if system is not None:
        sys_model = load_system(system)
        applicable = {d.threat_id for d in derive_threats(catalog, sys_model) if d.applicable}
    if evidence and system is None:
        raise InputError("--evidence needs the SYSTEM.yaml it is evidence for", field="SYSTEM")
    if (assessment is not None or evidence) and system is not None:
        # the same effective (evidence-adjusted) control states as `aisec assess`
        run = run_assessment(system, assessment, evidence, overlay, trusted_keys=evidence_key)
        states = states_from_views(run.result.controls)
    result = coverage(catalog, crosswalks, default_frameworks()[framework], states, applicable)
    duties = None
    if framework == "eu-ai-act" and sys_model is not None and system is not None:
        line = load_yaml_file(system).line_of(("regulatory", "annex_iii_area"))
        duties = obligations(sys_model, catalog, crosswalks, states, source=str(system), line=line)
        result = scope_ai_act_coverage(result, duties)

    title = f"{result.name} - " + ("assessed" if result.assessed else "catalogue coverage")
    table = Table(title=title, show_lines=True)
    table.add_column("item", no_wrap=True)
    for column in ("title", "status", "aisec controls (relationship; status)"):
        table.add_column(column, overflow="fold")  # control ids wrap whole, never cut to "…"
    namespace = default_frameworks()[framework].namespace
    for item in result.items:
        if gaps and item.status.value not in GAPS:
            continue
        style = _STYLE[item.status.value]
        table.add_row(
            escape(item.id.removeprefix(namespace)),
            escape(item.title),
            f"[{style}]{item.status.value}[/]",
            _controls_cell(item),
        )
    out.print(table)
    summary = ", ".join(f"{s.value} {n}" for s, n in result.counts.items() if n)
    out.print(f"{len(result.items)} items: {summary}", highlight=False)
    if duties is not None:
        out.print(
            f"AI Act obligations for {duties.system}: "
            + (
                ", ".join(
                    f"{o.article.split(':')[-1]} ({o.applicability.value})"
                    for o in duties.obligations
                )
                or "none"
            )
            + f"\n[dim]{duties.disclaimer}[/]",
            highlight=False,
        )
    if json_out is not None:
        payload = {
            "format": "aisec-crosswalk/1",
            "coverage": result.model_dump(mode="json"),
            "obligations": duties.model_dump(mode="json") if duties else None,
        }
        if write_output(json_out, json.dumps(payload, indent=2) + "\n"):
            out.print(f"wrote {json_out}", markup=False, highlight=False, soft_wrap=True)
    if fails([_GAP_RANK.get(i.status.value, -1) for i in result.items], fail_on):
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)


# --fail-on for a framework (docs/cli.md): a requirement aisec cannot support is a high gap,
# a partly supported one medium, an unmapped one low.
_GAP_RANK = {"not-supported": 3, "partly": 2, "not-mapped": 1}
