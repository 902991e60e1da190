"""AI-inventory sheet (CSV or XLSX) -> one system description per row.

A column map (YAML) says which header of the user's sheet holds each fact aisec needs, and may
translate the sheet's own words ("SaaS", "Internet") into aisec's. Every value is checked while
reading, so a bad cell is reported with sheet, row and column before any file is written; what
the sheet does not say becomes a marked question, as with an ML-BOM.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aisec.common.errors import InputError, MissingExtraError
from aisec.common.yamlio import load_yaml_file, validate_located
from aisec.system.importers.scaffold import ImportedSystem, ask_unknowns, slug, unique
from aisec.system.schema import (
    Archetype,
    Exposure,
    Host,
    ModelKind,
    ModelSource,
    OrgRole,
    Sensitivity,
)

MAX_SHEET = 16 * 1024 * 1024
MAX_ROWS = 5000
FIELDS = (
    "name id description owner owner_contact organisation_role archetype vendor model "
    "model_kind model_task model_source hosted_by data data_sensitivity users exposure "
    "authenticated confidentiality integrity availability"
).split()
CHOICES: dict[str, tuple[str, ...]] = {
    "organisation_role": tuple(OrgRole),
    "archetype": tuple(Archetype),
    "model_kind": tuple(ModelKind),
    "model_source": tuple(ModelSource),
    "hosted_by": tuple(Host),
    "data_sensitivity": tuple(Sensitivity),
    "exposure": tuple(Exposure),
    "authenticated": ("yes", "no"),
}
_YES = {
    "yes": "yes",
    "y": "yes",
    "true": "yes",
    "1": "yes",
    "no": "no",
    "n": "no",
    "false": "no",
    "0": "no",
}
GENAI_WORDS = ("generat", "chat", "assistant", "llm", "summar", "translat")


class ColumnMap(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str] = Field(description="aisec field -> header in the sheet")
    values: dict[str, dict[str, str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    number: int  # as the user sees it in the sheet (header is row 1)
    cells: dict[str, str]


def load_map(path: Path) -> ColumnMap:
    located = load_yaml_file(path)
    mapping = validate_located(ColumnMap, located)
    for key in [*mapping.columns, *mapping.values]:
        if key not in FIELDS:
            raise InputError(
                f"unknown field {key!r}",
                source=str(path),
                line=located.line_of(("columns", key)) or located.line_of(("values", key)),
                hint="fields: " + ", ".join(FIELDS),
            )
    if "name" not in mapping.columns:
        raise InputError(
            "the map must name the column holding 'name'", source=str(path), field="columns.name"
        )
    return mapping


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        from openpyxl import load_workbook
    except ImportError as exc:
        raise MissingExtraError("interop", "openpyxl") from exc
    book = load_workbook(path, read_only=True, data_only=True)  # formulas are never evaluated
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield ["" if v is None else str(v).strip() for v in values]
    finally:
        book.close()


def read_sheet(path: Path) -> tuple[list[str], list[Row]]:
    if path.stat().st_size > MAX_SHEET:
        raise InputError("sheet larger than 16 MiB", source=str(path))
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("expected a .csv or .xlsx sheet", source=str(path))
    try:
        raw = []
        for values in _csv_rows(path) if suffix == ".csv" else _xlsx_rows(path):
            raw.append(values)
            if len(raw) > MAX_ROWS + 1:  # stop reading: a sheet is never unbounded
                break
    except UnicodeDecodeError:
        raise InputError("CSV is not UTF-8 text", source=str(path)) from None
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot read the sheet: {exc}", source=str(path)) from None
    if not raw:
        raise InputError("the sheet is empty", source=str(path))
    if len(raw) > MAX_ROWS + 1:
        raise InputError(f"more than {MAX_ROWS} rows", source=str(path))
    header = [h.strip() for h in raw[0]]
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(
            Row(
                number,
                {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)},
            )
        )
    return header, rows


class _Reader:
    """Typed access to one row through the map, failing with sheet, row and column."""

    def __init__(self, sheet: str, mapping: ColumnMap, row: Row) -> None:
        self.sheet, self.mapping, self.row = sheet, mapping, row

    def text(self, field: str) -> str:
        column = self.mapping.columns.get(field)
        return self.row.cells.get(column, "") if column else ""

    def fail(self, field: str, message: str, hint: str | None = None) -> InputError:
        column = self.mapping.columns.get(field, field)
        return InputError(
            message, source=self.sheet, line=self.row.number, field=f"column {column!r}", hint=hint
        )

    def choice(self, field: str) -> str | None:
        value = self.text(field)
        if not value:
            return None
        translated = {k.lower(): v for k, v in self.mapping.values.get(field, {}).items()}
        value = translated.get(value.lower(), value)
        allowed = CHOICES[field]
        normal = (
            _YES.get(value.lower(), value.lower()) if field == "authenticated" else value.lower()
        )
        if normal not in allowed:
            raise self.fail(
                field,
                f"{value!r} is not one of: {', '.join(allowed)}",
                hint=f"use aisec's words, or translate yours under values.{field} in the map",
            )
        return normal

    def rating(self, field: str) -> int | None:
        value = self.text(field)
        if not value:
            return None
        try:
            number = int(float(value))
        except ValueError:
            number = 0
        if not 1 <= number <= 5:
            raise self.fail(field, f"{value!r} is not a rating from 1 to 5")
        return number

    def items(self, field: str) -> list[str]:
        return [p.strip() for p in self.text(field).replace("\n", ";").split(";") if p.strip()]


def _model(imp: ImportedSystem, r: _Reader, taken: set[str], datasets: list[str]) -> dict[str, Any]:
    name = r.text("model") or r.text("vendor") or "model"
    vendor = r.text("vendor")
    task = r.text("model_task")
    kind = r.choice("model_kind") or imp.ask(
        "models[0].kind",
        "Generative or predictive model? The sheet does not say.",
        "genai" if any(w in f"{task} {name}".lower() for w in GENAI_WORDS) else "predictive",
    )
    source = r.choice("model_source") or imp.ask(
        "models[0].source",
        "Do you run the weights (in-house / open-weights) or call a provider's API?",
        "provider-api" if vendor else "in-house",
    )
    hosted = r.choice("hosted_by") or imp.ask(
        "models[0].hosted_by",
        "Who hosts the model at run time?",
        "model-provider" if source == "provider-api" else "us",
    )
    model: dict[str, Any] = {
        "id": unique(slug(name, "model"), taken),
        "name": name[:200],
        "kind": kind,
        "task": task[:200]
        or imp.ask("models[0].task", "What task does the model perform?", "to be confirmed"),
        "source": source,
        "trained_by": "supplier"
        if vendor
        else imp.ask("models[0].trained_by", "Who trained the model?", "us"),
        "hosted_by": hosted,
    }
    if vendor:
        model["supplier"] = vendor[:200]
    if datasets:
        imp.ask(
            "models[0].training_data",
            "Which of the listed datasets train or fine-tune this model (add their ids)? "
            "Data that only fills prompts belongs under augmentation.",
            [],
        )
    return model


def import_row(sheet: str, mapping: ColumnMap, row: Row, taken_ids: set[str]) -> ImportedSystem:
    r = _Reader(sheet, mapping, row)
    name = r.text("name")
    if not name:
        raise r.fail("name", "a row with data needs the system's name")
    imp = ImportedSystem(data={}, source=f"{sheet} row {row.number}")
    d = imp.data
    d["id"] = unique(slug(r.text("id") or name, "system"), taken_ids)
    d["name"] = name[:200]
    if r.text("description"):
        d["description"] = r.text("description")[:4000]
    owner: dict[str, Any] = {
        "name": r.text("owner")[:200]
        or imp.ask("owner.name", "Who owns this AI system?", "to be confirmed")
    }
    if r.text("owner_contact"):
        owner["contact"] = r.text("owner_contact")[:200]
    d["owner"] = owner
    d["organisation_role"] = r.choice("organisation_role") or imp.ask(
        "organisation_role",
        "Do you develop/market it (vendor), deploy it (integrator), or both?",
        "integrator",
    )
    taken: set[str] = set()
    dataset_ids = []
    datasets = []
    sensitivity = r.choice("data_sensitivity")
    for index, data_name in enumerate(r.items("data")):
        ds_id = unique(slug(data_name, "data"), taken)
        dataset_ids.append(ds_id)
        path = f"datasets[{index}]"
        datasets.append(
            {
                "id": ds_id,
                "name": data_name[:200],
                "purpose": imp.ask(
                    f"{path}.purpose",
                    "Is this data used for training, fine-tuning or evaluation?",
                    "training",
                ),
                "sensitivity": sensitivity
                or imp.ask(f"{path}.sensitivity", "How sensitive is this data?", "internal"),
                "provenance": imp.ask(
                    f"{path}.provenance", "Where does this data come from?", "in-house"
                ),
            }
        )
    model = _model(imp, r, taken, dataset_ids)
    archetype = r.choice("archetype")
    d["archetypes"] = (
        [archetype]
        if archetype
        else imp.ask(
            "archetypes",
            "Which archetypes describe the system? Guessed from the model kind.",
            ["conversational-assistant"] if model["kind"] == "genai" else ["ml-classifier"],
        )
    )
    ratings = {k: r.rating(k) for k in ("confidentiality", "integrity", "availability")}
    if all(v is not None for v in ratings.values()):
        d["business_impact"] = ratings
    else:
        d["business_impact"] = imp.ask(
            "business_impact",
            "Rate the consequence of losing confidentiality, integrity, availability (1-5).",
            {k: v or 3 for k, v in ratings.items()},
        )
    if datasets:
        d["datasets"] = datasets
    d["models"] = [model]
    exposure, users = r.choice("exposure"), r.items("users")
    if exposure or users:
        authenticated = r.choice("authenticated")
        d["interfaces"] = [
            {
                "id": unique("main-interface", taken),
                "name": f"{name[:180]} interface",
                "exposure": exposure
                or imp.ask(
                    "interfaces[0].exposure",
                    "Who can reach it: public, partner or internal?",
                    "internal",
                ),
                "authenticated": authenticated == "yes"
                if authenticated
                else imp.ask("interfaces[0].authenticated", "Do users log in?", True),
                "users": users
                or imp.ask("interfaces[0].users", "Who sends input?", ["to be confirmed"]),
                "models": [model["id"]],
            }
        ]
    else:
        imp.ask(
            "interfaces", "Who can send input to the model, over which interface?", "none declared"
        )
    ask_unknowns(imp)
    imp.validated()
    return imp


def import_inventory(sheet: Path, map_path: Path) -> list[ImportedSystem]:
    """Every row checked and converted before the caller writes anything."""
    mapping = load_map(map_path)
    header, rows = read_sheet(sheet)
    missing = [
        f"{field} -> {column!r}"
        for field, column in mapping.columns.items()
        if column not in header
    ]
    if missing:
        raise InputError(
            "columns named in the map are not in the sheet: " + "; ".join(missing),
            source=str(sheet),
            line=1,
            hint="headers found: " + ", ".join(repr(h) for h in header if h),
        )
    if not rows:
        raise InputError("the sheet has a header but no rows", source=str(sheet))
    taken: set[str] = set()
    return [import_row(str(sheet), mapping, row, taken) for row in rows]


def write_template(folder: Path) -> list[Path]:
    """The template sheet as CSV and XLSX plus its column map, ready to fill in."""
    from importlib import resources

    from aisec.common.fileio import atomic_write_bytes, atomic_write_text

    base = resources.files(__package__).joinpath("templates")
    csv_text = base.joinpath("ai-inventory-template.csv").read_text("utf-8")
    paths = [
        folder / "ai-inventory-template.csv",
        folder / "ai-inventory-template.xlsx",
        folder / "inventory-columns.yaml",
    ]
    for p in paths:
        if p.exists():
            raise InputError("exists; a template never overwrites a file", source=str(p))
    try:
        from openpyxl import Workbook
    except ImportError as exc:
        raise MissingExtraError("interop", "openpyxl") from exc
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "AI inventory"
    for values in csv.reader(io.StringIO(csv_text)):
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_text(paths[0], csv_text)
    atomic_write_bytes(paths[1], buffer.getvalue())
    atomic_write_text(paths[2], base.joinpath("inventory-columns.yaml").read_text("utf-8"))
    return paths
