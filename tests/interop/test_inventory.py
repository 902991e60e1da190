"""Inventory sheets (CSV and XLSX) become one loadable system file per row; bad cells are
located by sheet, row and column, and nothing is written when one row is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from aisec.cli import main
from aisec.common.errors import InputError
from aisec.system import load_system
from aisec.system.importers.inventory import import_inventory


@pytest.fixture()
def template(tmp_path: Path) -> Path:
    folder = tmp_path / "tpl"
    assert main(["import", "inventory", "--template", "-o", str(folder)]) == 0
    return folder


@pytest.mark.parametrize("sheet", ["ai-inventory-template.csv", "ai-inventory-template.xlsx"])
def test_template_rows_become_systems(template: Path, tmp_path: Path, sheet: str) -> None:
    out = tmp_path / "systems"
    args = [
        "import",
        "inventory",
        str(template / sheet),
        "--map",
        str(template / "inventory-columns.yaml"),
    ]
    report = tmp_path / "import.json"
    assert main([*args, "-o", str(out), "--json", str(report)]) == 0
    listed = json.loads(report.read_text())["systems"]
    assert [e["system_id"] for e in listed] == ["hr-assistant", "invoice-triage"]
    hr = load_system(out / "hr-assistant.yaml")
    assert hr.owner.contact == "people@example.org"
    model = hr.models[0]
    # the map translated the sheet's words: SaaS -> provider-api, Vendor -> model-provider
    assert (model.source.value, model.hosted_by.value, model.supplier) == (
        "provider-api",
        "model-provider",
        "Example Model Provider",
    )
    assert hr.interfaces[0].exposure.value == "internal" and hr.interfaces[0].authenticated
    assert hr.business_impact.availability == 2
    triage = load_system(out / "invoice-triage.yaml")
    assert [d.name for d in triage.datasets] == ["Invoices 2023-2025", "Approver history"]
    text = (out / "invoice-triage.yaml").read_text()
    assert "# QUESTION" in text and "models[0].trained_by" in text  # no vendor: who trained it?
    assert main([*args, "-o", str(out)]) == 2  # never overwrites


def test_bad_cell_is_located_and_nothing_is_written(template: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "inv.csv"
    rows = (template / "ai-inventory-template.csv").read_text().splitlines()
    rows[2] = rows[2].replace(",Staff,", ",Cloud,")
    sheet.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError) as info:
        import_inventory(sheet, template / "inventory-columns.yaml")
    assert info.value.line == 3 and info.value.field == "column 'Exposure'"
    assert "'Cloud' is not one of" in str(info.value)
    out = tmp_path / "systems"
    args = ["import", "inventory", str(sheet), "--map", str(template / "inventory-columns.yaml")]
    assert main([*args, "-o", str(out)]) == 2
    assert not out.exists() or not any(out.iterdir())


def test_minimal_sheet_asks_for_everything_else(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["System", "Owner", "Impact C"])
    sheet.append(["Chat helper", "Digital team", "9"])
    path = tmp_path / "inv.xlsx"
    book.save(path)
    column_map = tmp_path / "map.yaml"
    column_map.write_text('columns:\n  name: "System"\n  owner: "Owner"\n')
    (imported,) = import_inventory(path, column_map)
    asked = {q.field for q in imported.questions}
    assert {"business_impact", "models[0].kind", "interfaces", "tools"} <= asked
    column_map.write_text('columns:\n  name: "System"\n  confidentiality: "Impact C"\n')
    with pytest.raises(InputError, match="not a rating from 1 to 5"):
        import_inventory(path, column_map)
    column_map.write_text('columns:\n  name: "Name"\n')
    with pytest.raises(InputError, match="not in the sheet"):
        import_inventory(path, column_map)
    column_map.write_text('columns:\n  name: "System"\n  colour: "x"\n')
    with pytest.raises(InputError, match="unknown field 'colour'"):
        import_inventory(path, column_map)


def test_template_with_a_folder_as_sheet_is_refused_not_written_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["import", "inventory", "--template", "inv"]) == 2
    assert "--template -o inv" in capsys.readouterr().err
    assert not (tmp_path / "systems").exists() and not (tmp_path / "inv").exists()
