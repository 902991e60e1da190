"""CISO Assistant library export: the importer's rules hold, URNs are unique and links resolve,
and every mapping target exists in the library CISO Assistant ships."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml

from aisec.catalog.crosswalk import default_crosswalks
from aisec.cli import main
from aisec.reports.exporters.ciso_assistant import (
    FRAMEWORK_URN,
    LIBRARY_URN,
    LibraryError,
    check_library,
    library_document,
    mapping_documents,
    target_urn,
)
from aisec.service import default_catalog

DAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("ca")
    assert main(["export", "ciso-assistant", "-o", str(out)]) == 0
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted(out.glob("*.yaml"))}


def test_library_has_threats_controls_and_a_linked_requirement_tree(written: dict) -> None:  # type: ignore[type-arg]
    catalog = default_catalog()
    library = written["aisec-ai-security"]
    assert library["urn"] == LIBRARY_URN
    objects = library["objects"]
    assert len(objects["threats"]) == len(catalog.threats)
    assert len(objects["reference_controls"]) == len(catalog.controls)
    nodes = objects["framework"]["requirement_nodes"]
    assert objects["framework"]["urn"] == FRAMEWORK_URN
    assert sum(not n["assessable"] for n in nodes) == 10  # the ten categories
    by_ref = {n["ref_id"]: n for n in nodes}
    for control in catalog.controls.values():
        node = by_ref[control.id]
        assert node["parent_urn"] == by_ref[control.category.value]["urn"]
        assert len(node["threats"]) == len(control.effects)
        expected = {"vendor": ["vendor"], "integrator": ["integrator"]}.get(
            control.role.value, ["vendor", "integrator"]
        )
        assert node["implementation_groups"] == expected
    urns = [o["urn"] for kind in ("threats", "reference_controls") for o in objects[kind]]
    urns += [n["urn"] for n in nodes]
    assert len(urns) == len(set(urns)) and all(u == u.lower() for u in urns)
    check_library(library)


def test_mapping_targets_exist_in_ciso_assistant_libraries(written: dict, data_dir: Path) -> None:  # type: ignore[type-arg]
    shipped = {
        line
        for line in (data_dir / "ciso-assistant-req-nodes.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    ours = {
        n["urn"] for n in written["aisec-ai-security"]["objects"]["framework"]["requirement_nodes"]
    }
    mapping_files = {k: v for k, v in written.items() if k.startswith("mapping-")}
    assert len(mapping_files) == 5
    for name, document in mapping_files.items():
        assert LIBRARY_URN in document["dependencies"]
        (mapping_set,) = document["objects"]["requirement_mapping_sets"]
        assert mapping_set["source_framework_urn"] == FRAMEWORK_URN
        for m in mapping_set["requirement_mappings"]:
            assert m["source_requirement_urn"] in ours, name
            assert m["target_requirement_urn"] in shipped, (name, m["target_requirement_urn"])


@pytest.mark.parametrize(
    ("framework", "target", "urn"),
    [
        ("iso27001", "iso27001:2022:A.8.28", "urn:intuitem:risk:req_node:iso27001-2022:a.8.28"),
        (
            "nist-ai-rmf",
            "nist-ai-rmf:1.0:MEASURE-2.7",
            "urn:intuitem:risk:req_node:nist-ai-rmf-1.0:measure-2.7",
        ),
        ("eu-ai-act", "eu-ai-act:2024:Art.15(4)", "urn:intuitem:risk:req_node:ai-act:15.4"),
        ("eu-ai-act", "eu-ai-act:2024:Art.15", "urn:intuitem:risk:req_node:ai-act:node410"),
        ("iso42001", "iso42001:2023:6.1.2", "urn:intuitem:risk:req_node:iso42001-2023:6.1"),
        ("owasp-llm", "owasp-llm:2025:LLM01", None),
    ],
)
def test_target_urns(framework: str, target: str, urn: str | None) -> None:
    assert target_urn(framework, target) == urn


def test_coarsened_targets_never_claim_equality() -> None:
    docs = mapping_documents(default_catalog(), default_crosswalks(), DAY)
    (mapping_set,) = docs["mapping-aisec-ai-security-to-iso42001-2023"]["objects"][
        "requirement_mapping_sets"
    ]
    to_6_1 = [
        m
        for m in mapping_set["requirement_mappings"]
        if m["target_requirement_urn"].endswith(":6.1")
    ]
    assert to_6_1 and all(m["relationship"] in ("subset", "intersect") for m in to_6_1)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: d["objects"]["threats"].append(dict(d["objects"]["threats"][0])), "used twice"),
        (
            lambda d: d["objects"]["framework"]["requirement_nodes"][1]["threats"].append(
                "urn:aisec:risk:threat:x:y"
            ),
            "names no object",
        ),
        (
            lambda d: d["objects"]["reference_controls"][0].update(category="magic"),
            "allowed values",
        ),
        (
            lambda d: d["objects"]["framework"]["requirement_nodes"][1].update(
                implementation_groups=["cloud"]
            ),
            "implementation group",
        ),
    ],
)
def test_check_library_catches_broken_documents(break_it, message: str) -> None:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(library_document(default_catalog(), DAY))
    break_it(document)
    with pytest.raises(LibraryError, match=message):
        check_library(document)
