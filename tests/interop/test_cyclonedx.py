"""CycloneDX ML-BOM import and export, on real files, validated by CycloneDX's own schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisec.cli import main
from aisec.common.errors import InputError
from aisec.service import bundled_examples
from aisec.system import load_system
from aisec.system.importers.cyclonedx_bom import import_bom, import_cyclonedx
from aisec.system.importers.cyclonedx_validate import validate_bom


@pytest.mark.parametrize("name", ["support-bot.cdx.json", "support-bot-1.7.cdx.json"])
def test_import_maps_models_datasets_services_and_asks_the_rest(data_dir: Path, name: str) -> None:
    imported = import_cyclonedx(data_dir / name)
    system = imported.validated()
    model = system.models[0]
    assert (model.id, model.task, model.kind.value, model.supplier) == (
        "llama",
        "text-generation",
        "genai",
        "Meta",
    )
    assert model.training_data == ["corpus"]
    assert "MIT" in (model.notes or "") and "architecture llama" in (model.notes or "")
    assert system.datasets[0].sensitivity.value == "public"
    assert system.interfaces[0].authenticated is True
    assert system.interfaces[0].models == ["llama"]
    asked = {q.field for q in imported.questions}
    # what a BOM cannot say is asked, never silently assumed
    assert {"business_impact", "tools", "outputs", "interfaces[0].exposure"} <= asked
    text = imported.to_yaml()
    assert text.count("# QUESTION Q") >= 8
    assert "# QUESTION Q" in text.split("interfaces:")[0].rsplit("\n\n", 1)[-1]


def test_cli_import_writes_a_loadable_system_and_lists_questions(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bot.yaml"
    bom = str(data_dir / "support-bot.cdx.json")
    assert main(["import", "cyclonedx", bom, "-o", str(target), "--json", "-"]) == 0
    assert load_system(target).id == "support-bot"
    captured = capsys.readouterr()
    assert "Q1 owner.name" in captured.err
    report = json.loads(captured.out)
    (entry,) = report["systems"]
    assert report["format"] == "aisec-import/1" and entry["file"] == str(target)
    assert entry["questions"][0] == {
        "id": "Q1",
        "field": "owner.name",
        "question": "Who owns this AI system (team or person)?",
        "placeholder": "to be confirmed",
    }
    # never overwrites a system file someone may have edited
    assert main(["import", "cyclonedx", bom, "-o", str(target)]) == 2


def test_bad_bom_is_located(data_dir: Path, tmp_path: Path) -> None:
    bom = json.loads((data_dir / "support-bot.cdx.json").read_text())
    bom["components"][1]["type"] = "dataz"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bom, indent=2))
    with pytest.raises(InputError) as info:
        import_cyclonedx(bad)
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "dataz" in text)
    assert info.value.line == line
    assert info.value.field == "components[1].type"
    assert "'dataz' is not one of" in str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"specVersion": "1.4"}, "specVersion '1.4' is not supported"),
        ({"bomFormat": "SPDX"}, "not a CycloneDX JSON BOM"),
        ({"components": []}, "no component of type 'machine-learning-model'"),
    ],
)
def test_unusable_boms_are_refused(data_dir: Path, change: dict[str, object], message: str) -> None:
    bom = json.loads((data_dir / "support-bot.cdx.json").read_text())
    bom.update(change)
    with pytest.raises(InputError, match=message):
        import_bom(validate_bom(json.dumps(bom), "bom.json"), "bom.json")


def test_export_is_a_valid_ml_bom_that_imports_back_to_the_same_models(tmp_path: Path) -> None:
    for system_id, path, _ in bundled_examples():
        out = tmp_path / f"{system_id}.cdx.json"
        assert main(["export", "cyclonedx", str(path), "-o", str(out)]) == 0
        text = out.read_text()
        document = validate_bom(text, str(out))  # CycloneDX 1.6 strict schema, offline
        kinds = {c["type"] for c in document["components"]}
        assert "machine-learning-model" in kinds
        original = load_system(path)
        back = import_bom(document, str(out)).validated()

        def key(items: list) -> list[str]:  # type: ignore[type-arg]
            return sorted(str(i.model_dump(exclude={"notes", "artifacts"})) for i in items)

        assert back.id == original.id
        assert key(back.models) == key(original.models)
        assert key(back.datasets) == key(original.datasets)


def test_nested_models_and_a_bom_describing_one_model(data_dir: Path) -> None:
    bom = json.loads((data_dir / "support-bot.cdx.json").read_text())
    model, dataset = bom["components"]
    bom["components"] = [
        {"type": "application", "name": "bot", "bom-ref": "app2", "components": [model, dataset]}
    ]
    nested = import_bom(validate_bom(json.dumps(bom), "nested.json"), "nested.json").validated()
    assert [m.id for m in nested.models] == ["llama"] and nested.models[0].training_data == [
        "corpus"
    ]
    single = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": model},
        "components": [dataset],
    }
    one = import_bom(validate_bom(json.dumps(single), "model.json"), "model.json").validated()
    assert [m.id for m in one.models] == ["llama"]


def test_assessing_an_imported_file_warns_until_its_questions_are_answered(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Placeholders such as 'exposure: internal' look like answers: assess says they are not."""
    from aisec.service import run_assessment

    target = tmp_path / "bot.yaml"
    bom = str(data_dir / "support-bot.cdx.json")
    assert main(["import", "cyclonedx", bom, "-o", str(target)]) == 0
    assert main(["assess", str(target), "-o", str(tmp_path / "out"), "-f", "json"]) == 0
    assert "import-questions-open" in capsys.readouterr().out
    saved = json.loads((tmp_path / "out" / "support-bot.json").read_text())
    (warning,) = [w for w in saved["warnings"] if w["code"] == "import-questions-open"]
    assert warning["subject"] == "bot.yaml" and "Q8 interfaces[0].exposure" in warning["message"]
    answered = "\n".join(
        line for line in target.read_text().splitlines() if not line.startswith("# QUESTION")
    )
    target.write_text(answered + "\n")
    codes = {w.code.value for w in run_assessment(target).result.warnings}
    assert "import-questions-open" not in codes
