"""`aisec catalog ...`: browse and validate the knowledge base.

A thin edge over `aisec.catalog.build_catalog`: `list` shows one kind of record as a table (or
JSON), `show` prints one record in full (for a threat, the controls that mitigate it and by how
much), and `validate` loads the bundled catalogue plus user overlays and reports the first located
error. Every text coming from a catalogue or overlay is escaped before Rich renders it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from typer.core import TyperGroup

from aisec.catalog import Catalog, build_catalog, default_catalog
from aisec.catalog.schema import CategoryInfo, Control, Practice, Threat
from aisec.cli.app import app
from aisec.cli.options import deprecated
from aisec.cli.outputs import check_output_files, make_console, write_output
from aisec.common.errors import CatalogError, InputError
from aisec.common.exitcodes import ExitCode
from aisec.common.textsafe import markup_safe as escape


class _CatalogGroup(TyperGroup):
    """`--json` used to be a switch here; for one release a bare `--json` still means stdout."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, cmd, rest = super().resolve_command(ctx, args)
        rest = list(rest)
        for i, word in enumerate(rest):
            if word == "--json" and (i + 1 == len(rest) or rest[i + 1].startswith("--")):
                deprecated("--json (as a switch)", "--json -")
                rest.insert(i + 1, "-")
                break
        return name, cmd, rest


catalog_app = typer.Typer(
    cls=_CatalogGroup,
    name="catalog",
    help="Browse and validate the threat and control catalogue (and your overlays).",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")

console = make_console()

OverlayOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--overlay", help="Overlay YAML adding or overriding records (repeatable, in order)."
    ),
]


EFFECT_CAPTION = "L-/I-: steps by which the control lowers likelihood / impact (1-5 scale)"


class Kind(StrEnum):
    THREATS = "threats"
    CONTROLS = "controls"
    CATEGORIES = "categories"
    PRACTICES = "practices"


def _kind(name: str) -> Kind:
    try:
        return Kind(name.strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        hint = f"choose among: {choices}"
        raise InputError(f"unknown kind {name!r}", field="KIND", hint=hint) from None


def _load(overlays: Sequence[Path] | None) -> Catalog:
    return build_catalog(overlays) if overlays else default_catalog()


# `--json PATH|-` like every command; a bare `--json` (the old switch) still means stdout.
JsonOption = Annotated[
    Path | None,
    typer.Option(
        "--json",
        metavar="PATH|-",
        help="Write JSON to PATH ('-' = standard output).",
    ),
]


def _emit_json(data: Any, target: Path) -> None:
    check_output_files([("--json", target)])
    write_output(target, json.dumps(data, indent=2, ensure_ascii=False))


def _records(catalog: Catalog, kind: Kind) -> list[Threat | Control | CategoryInfo | Practice]:
    store: dict[Kind, Any] = {
        Kind.THREATS: catalog.threats,
        Kind.CONTROLS: catalog.controls,
        Kind.CATEGORIES: catalog.categories,
        Kind.PRACTICES: catalog.practices,
    }
    return list(store[kind].values())


def _columns(table: Table, *names: str) -> None:
    """The first column (an id) never wraps, so ids stay whole and greppable."""
    for index, name in enumerate(names):
        table.add_column(name, no_wrap=index == 0, overflow="fold")


def _list_table(catalog: Catalog, kind: Kind) -> Table:
    table = Table(title=f"{kind.value} ({len(_records(catalog, kind))})", box=box.SIMPLE_HEAD)
    if kind is Kind.THREATS:
        _columns(table, "id", "name", "L", "ISO 27090", "controls")
        for t in catalog.threats.values():
            clause = t.iso27090.clause or "-"
            table.add_row(
                t.id,
                escape(t.name),
                str(t.base_likelihood),
                f"{escape(clause)} ({t.iso27090.status.value})",
                str(len(catalog.controls_for(t.id))),
            )
    elif kind is Kind.CONTROLS:
        _columns(table, "id", "name", "cat.", "role", "threats")
        for c in catalog.controls.values():
            table.add_row(c.id, escape(c.name), c.category.value, c.role.value, str(len(c.effects)))
    elif kind is Kind.CATEGORIES:
        _columns(table, "id", "name", "controls")
        for cat in catalog.categories.values():
            count = sum(1 for c in catalog.controls.values() if c.category == cat.id)
            table.add_row(cat.id.value, escape(cat.name), str(count))
    else:
        _columns(table, "id", "name", "questions")
        for p in catalog.practices.values():
            table.add_row(p.id, escape(p.name), str(len(p.questions)))
    return table


@catalog_app.command("list")
def list_records(
    kind_name: Annotated[
        str, typer.Argument(metavar="KIND", help="threats, controls, categories or practices.")
    ],
    overlay: OverlayOption = None,
    as_json: JsonOption = None,
) -> int:
    """List threats, controls, categories or practices."""
    kind = _kind(kind_name)
    catalog = _load(overlay)
    if as_json is not None:
        _emit_json([r.model_dump(mode="json") for r in _records(catalog, kind)], as_json)
    else:
        console.print(_list_table(catalog, kind))
    return int(ExitCode.OK)


def _all_ids(catalog: Catalog) -> list[str]:
    return [*catalog.threats, *catalog.controls, *catalog.categories, *catalog.practices]


def _find(catalog: Catalog, record_id: str) -> Threat | Control | CategoryInfo | Practice:
    for store in (catalog.threats, catalog.controls, catalog.practices):
        if record_id in store:
            return store[record_id]
    if record_id.upper() in catalog.categories:
        return catalog.categories[record_id.upper()]
    ids = _all_ids(catalog)
    close = difflib.get_close_matches(record_id, ids, n=5, cutoff=0.6)
    close += [i for i in ids if record_id and record_id.lower() in i.lower() and i not in close]
    hint = (
        ("did you mean: " + ", ".join(close[:5]))
        if close
        else ("run 'aisec catalog list threats|controls|categories|practices' to see the ids")
    )
    raise InputError(f"unknown catalogue id {record_id!r}", field="ID", hint=hint)


def _effect_rows(catalog: Catalog, threat_id: str) -> list[tuple[Control, int, int, str | None]]:
    rows = []
    for control_id in catalog.controls_for(threat_id):
        control = catalog.controls[control_id]
        for effect in control.effects:
            if effect.threat == threat_id:
                rows.append((control, effect.likelihood, effect.impact, effect.note))
    rows.sort(key=lambda r: (-(r[1] + r[2]), r[0].id))
    return rows


def _field(label: str, value: str) -> None:
    console.print(f"[bold]{escape(label)}:[/bold] {escape(value)}", highlight=False)


def _bullets(label: str, items: Sequence[str]) -> None:
    if not items:
        return
    console.print(f"[bold]{escape(label)}:[/bold]", highlight=False)
    for item in items:
        console.print(f"  - {escape(item)}", highlight=False)


def _show_threat(catalog: Catalog, t: Threat) -> None:
    console.print(
        f"[bold cyan]threat {escape(t.id)}[/bold cyan]: {escape(t.name)}", highlight=False
    )
    _field("summary", t.summary)
    _field("attack", t.attack)
    _field("consequences", t.consequences)
    _field("assets", ", ".join(a.value for a in t.assets))
    _field("impact", ", ".join(f"{k} {v.value}" for k, v in t.impact.model_dump().items()))
    _field("phases", ", ".join(p.value for p in t.phases))
    _field("surface", ", ".join(s.value for s in t.surface))
    _field(
        "base likelihood",
        f"{t.base_likelihood}/5" + (f" - {t.base_reason}" if t.base_reason else ""),
    )
    _bullets("detection", t.detection)
    _bullets("how to test", t.how_to_test)
    iso = t.iso27090
    _field(
        "ISO/IEC 27090",
        f"{iso.clause or 'no clause number'} (status: {iso.status.value})"
        + (f" - {iso.label}" if iso.label else ""),
    )
    if t.owasp_aix:
        _field("OWASP AI Exchange", t.owasp_aix)
    _bullets("refs", t.refs)
    table = Table(title=f"controls mitigating {t.id}", box=box.SIMPLE_HEAD)
    _columns(table, "control", "role", "L-", "I-", "note")
    for control, lik, imp, note in _effect_rows(catalog, t.id):
        table.add_row(control.id, control.role.value, str(lik), str(imp), escape(note or ""))
    table.caption = EFFECT_CAPTION
    console.print(table)


def _show_control(catalog: Catalog, c: Control) -> None:
    console.print(
        f"[bold cyan]control {escape(c.id)}[/bold cyan]: {escape(c.name)}", highlight=False
    )
    _field("summary", c.summary)
    _field("category", c.category.value)
    _field("kind", c.kind.value)
    _field("default role", c.role.value)
    _field("phases", ", ".join(p.value for p in c.phases))
    table = Table(title=f"threats mitigated by {c.id}", box=box.SIMPLE_HEAD)
    _columns(table, "threat", "L-", "I-", "note")
    for e in c.effects:
        table.add_row(e.threat, str(e.likelihood), str(e.impact), escape(e.note or ""))
    table.caption = EFFECT_CAPTION
    console.print(table)
    _bullets(
        "side effects", [f"{s.aspect.value} ({s.level.value}): {s.note}" for s in c.side_effects]
    )
    _bullets("depends on", c.depends_on)
    _bullets("conflicts with", [f"{k.control}: {k.note}" for k in c.conflicts_with])
    _bullets("implementation guidance", c.guidance)
    _bullets("assessor questions", c.questions)
    _bullets("evidence an auditor would accept", c.evidence)
    _bullets("verified by", c.verified_by)
    if c.owasp_aix:
        _field("OWASP AI Exchange", c.owasp_aix)
    _bullets("refs", c.refs)
    answers = [
        f"{p.id}/{q.id}: {q.text}"
        for p in catalog.practices.values()
        for q in p.questions
        if c.id in q.controls
    ]
    _bullets("answers readiness questions", answers)


def _show_category(catalog: Catalog, cat: CategoryInfo) -> None:
    console.print(
        f"[bold cyan]category {cat.id.value}[/bold cyan]: {escape(cat.name)}", highlight=False
    )
    _field("summary", cat.summary)
    _bullets(
        "controls",
        [
            f"{c.id} ({c.role.value}): {c.name}"
            for c in catalog.controls.values()
            if c.category == cat.id
        ],
    )


def _show_practice(p: Practice) -> None:
    console.print(
        f"[bold cyan]practice {escape(p.id)}[/bold cyan]: {escape(p.name)}", highlight=False
    )
    _field("summary", p.summary)
    _field("principles", ", ".join(p.principles))
    _field("phases", ", ".join(ph.value for ph in p.phases))
    console.print("[bold]readiness questions:[/bold]")
    for q in p.questions:
        console.print(f"  - {escape(q.id)}: {escape(q.text)}", highlight=False)
        console.print(f"      answered by: {escape(', '.join(q.controls) or '-')}", highlight=False)


def _as_json(catalog: Catalog, record: Threat | Control | CategoryInfo | Practice) -> Any:
    data = record.model_dump(mode="json")
    if isinstance(record, Threat):
        data["mitigated_by"] = [
            {"control": c.id, "likelihood": lik, "impact": imp, "note": note}
            for c, lik, imp, note in _effect_rows(catalog, record.id)
        ]
    return data


@catalog_app.command("show")
def show(
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="Threat, control, category or practice id.")
    ],
    overlay: OverlayOption = None,
    as_json: JsonOption = None,
) -> int:
    """Show one record in full; for a threat, the controls that mitigate it."""
    catalog = _load(overlay)
    record = _find(catalog, record_id.strip())
    if as_json is not None:
        _emit_json(_as_json(catalog, record), as_json)
    elif isinstance(record, Threat):
        _show_threat(catalog, record)
    elif isinstance(record, Control):
        _show_control(catalog, record)
    elif isinstance(record, CategoryInfo):
        _show_category(catalog, record)
    else:
        _show_practice(record)
    return int(ExitCode.OK)


@catalog_app.command("validate")
def validate(
    overlays: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[OVERLAY]...", help="Deprecated: use --overlay (positional still works)."
        ),
    ] = None,
    overlay: OverlayOption = None,
) -> int:
    """Load the bundled catalogue plus overlays and check every cross-reference."""
    if overlays:
        deprecated("aisec catalog validate OVERLAY", "aisec catalog validate --overlay OVERLAY")
    paths = [*(overlay or []), *(overlays or [])]
    catalog = build_catalog(paths, trust_cache=False)  # re-validate the bundled files too
    from aisec.catalog.crosswalk import crosswalk_problems  # completeness rule, ATLAS relations

    problems = crosswalk_problems(catalog)
    if problems:
        raise CatalogError(
            f"{len(problems)} crosswalk problem(s):\n  " + "\n  ".join(problems),
            source="aisec/catalog/data/crosswalks",
        )
    console.print(
        f"{len(catalog.threats)} threats, {len(catalog.controls)} controls, "
        f"{len(catalog.categories)} categories, {len(catalog.practices)} practices "
        f"(catalogue {escape(catalog.version)}, {len(paths)} overlay(s)): [green]valid[/green]",
        highlight=False,
    )
    from aisec.catalog.overlay_diff import diff_overlays

    for diff in diff_overlays(paths):  # what each overlay changes, as the reports will say
        style = "yellow" if diff.weakening else "dim"
        console.print(f"[{style}]{escape(diff.note())}[/{style}]", highlight=False)
        if diff.weakening:
            console.print("  aisec assess refuses it without --allow-weakening", highlight=False)
    return int(ExitCode.OK)
