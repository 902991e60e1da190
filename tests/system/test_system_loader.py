"""System descriptions: the bundled examples load; bad ones fail with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.common.errors import InputError
from aisec.system import load_system
from aisec.system.schema import AISystem

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"
MINIMAL = """\
id: tiny
name: Tiny
owner: {name: Team}
organisation_role: integrator
archetypes: [conversational-assistant]
business_impact: {confidentiality: 3, integrity: 3, availability: 3}
models:
  - id: m
    name: M
    kind: genai
    task: text-generation
    source: provider-api
    trained_by: supplier
    hosted_by: model-provider
"""


@pytest.mark.parametrize(
    "path",
    sorted(p for p in EXAMPLES.glob("*.yaml") if ".assessment." not in p.name),
    ids=lambda p: p.stem,
)
def test_bundled_examples_load(path: Path) -> None:
    system = load_system(path)
    assert isinstance(system, AISystem)
    assert system.models


def test_five_examples_cover_the_archetypes() -> None:
    archetypes = set()
    for path in EXAMPLES.glob("*.yaml"):
        if ".assessment." not in path.name:
            archetypes |= {a.value for a in load_system(path).archetypes}
    assert {
        "rag",
        "autonomous-agent",
        "ml-classifier",
        "recommender",
        "conversational-assistant",
    } <= archetypes


@pytest.mark.parametrize(
    ("mutation", "line", "expect"),
    [
        (("kind: genai", "kind: generative"), 10, "models[0].kind"),
        (
            ("hosted_by: model-provider", "hosted_by: model-provider\n    colour: red"),
            15,
            "models[0].colour",
        ),
        (("organisation_role: integrator", "organisation_role: reseller"), 4, "organisation_role"),
        (("confidentiality: 3", "confidentiality: 9"), 6, "business_impact.confidentiality"),
    ],
)
def test_schema_errors_are_located(
    tmp_path: Path, mutation: tuple[str, str], line: int, expect: str
) -> None:
    path = tmp_path / "sys.yaml"
    path.write_text(MINIMAL.replace(*mutation))
    with pytest.raises(InputError) as err:
        load_system(path)
    message = str(err.value)
    assert f"{path}:{line}" in message
    assert expect in message


def test_unknown_model_reference_is_located(tmp_path: Path) -> None:
    path = tmp_path / "sys.yaml"
    path.write_text(
        MINIMAL + "interfaces:\n  - id: ui\n    name: UI\n    exposure: public\n"
        "    authenticated: false\n    users: [anyone]\n    models: [nope]\n"
    )
    with pytest.raises(InputError) as err:
        load_system(path)
    assert f"{path}:21" in str(err.value)
    assert "unknown model 'nope'" in str(err.value)
    assert "expected one of: m" in str(err.value)


def test_missing_field_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sys.yaml"
    path.write_text(MINIMAL.replace("name: Tiny\n", ""))
    with pytest.raises(InputError, match="required field is missing"):
        load_system(path)
    path.write_text("")
    with pytest.raises(InputError, match="expected a mapping"):
        load_system(path)


def test_unknown_field_lists_the_expected_ones(tmp_path: Path) -> None:
    path = tmp_path / "sys.yaml"
    path.write_text(
        MINIMAL.replace("hosted_by: model-provider", "hosted_by: model-provider\n    colour: red")
    )
    with pytest.raises(InputError) as err:
        load_system(path)
    message = str(err.value)
    assert "unknown field; expected one of:" in message
    assert "hosted_by" in message and "trained_by" in message
    path.write_text(MINIMAL + "data_flows:\n  - {from: m, to: m, data: x, via: y}\n")
    with pytest.raises(InputError, match="expected one of: crosses_boundary, data, from, kind, to"):
        load_system(path)


def test_several_problems_are_listed_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "sys.yaml"
    text = MINIMAL.replace("organisation_role: integrator", "organisation_role: reseller")
    path.write_text(text.replace("confidentiality: 3", "confidentiality: 9"))
    with pytest.raises(InputError) as err:
        load_system(path)
    first, second = str(err.value).splitlines()[:2]
    assert first.startswith(f"{path}:4: organisation_role")
    assert second.strip().startswith(f"also {path}:6: business_impact.confidentiality")


def test_new_optional_facts_load_and_records_are_reference_checked(tmp_path: Path) -> None:
    extended = MINIMAL.replace(
        "    hosted_by: model-provider\n",
        "    hosted_by: model-provider\n    deployment: device\n    weights_distributed: public\n"
        "    follows_instructions: false\n",
    )
    path = tmp_path / "sys.yaml"
    path.write_text(
        extended + "records:\n  - {id: logs, name: Logs, kind: prompt-log, sensitivity: personal,"
        " retention_days: 30, models: [m]}\n"
    )
    system = load_system(path)
    assert system.models[0].deployment.value == "device" and system.records[0].retention_days == 30
    path.write_text(
        extended + "records:\n  - {id: logs, name: Logs, kind: prompt-log, sensitivity: personal,"
        " models: [nope]}\n"
    )
    with pytest.raises(InputError, match=r"records\[0\]\.models\[0\].*unknown model 'nope'"):
        load_system(path)
    path.write_text(extended.replace("deployment: device", "deployment: orbit"))
    with pytest.raises(InputError, match="deployment"):
        load_system(path)
