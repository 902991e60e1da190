"""Crosswalks are complete, right where the audit found them wrong, and agree with the sources'
own relations (ATLAS mitigation -> technique, OWASP AI Exchange periodic table)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from aisec.catalog import default_catalog
from aisec.catalog.crosswalk import (
    Link,
    Relationship,
    SourceKind,
    completeness_problems,
    crosswalk_problems,
    default_crosswalks,
    mitigation_problems,
    unaccounted,
)
from aisec.catalog.frameworks import default_frameworks
from aisec.cli import main
from aisec.common.exitcodes import ExitCode

TABLE = Path(__file__).parent / "data" / "owasp_aix_periodic_table.yaml"


def targets(framework: str, source: str) -> set[str]:
    return {link.target for link in default_crosswalks()[framework].for_source(source)}


def test_every_item_of_every_list_is_linked_or_out_of_scope_with_a_reason() -> None:
    assert completeness_problems(default_crosswalks()) == []
    for key, crosswalk in default_crosswalks().items():
        assert all(len(why) >= 8 for why in crosswalk.outside_scope.values()), key


def test_a_dropped_item_is_reported() -> None:
    crosswalks = dict(default_crosswalks())
    owasp = crosswalks["owasp-ml"]
    kept = tuple(link for link in owasp.links if link.target != "owasp-ml:2023:ML09")
    crosswalks["owasp-ml"] = replace(owasp, links=kept)
    assert unaccounted(default_frameworks()["owasp-ml"], crosswalks["owasp-ml"]) == [
        "owasp-ml:2023:ML09"
    ]
    (problem,) = completeness_problems(crosswalks)
    assert "ML09" in problem and "outside_scope" in problem


def test_catalog_validate_enforces_the_completeness_rule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "validate"]) == ExitCode.OK
    import aisec.catalog.crosswalk as cw

    original = cw.default_crosswalks()
    broken = dict(original)
    owasp = broken["owasp-agentic"]
    broken["owasp-agentic"] = replace(
        owasp, links=tuple(x for x in owasp.links if x.target != "owasp-agentic:2026:ASI09")
    )
    monkeypatch.setattr(cw, "default_crosswalks", lambda: broken)
    assert main(["catalog", "validate"]) != ExitCode.OK
    assert "ASI09" in capsys.readouterr().err


def test_wrong_links_named_by_the_audit_are_gone() -> None:
    assert "atlas:AML.T0031" not in targets("atlas", "runtime-model-poisoning")
    assert "atlas:AML.T0031" in targets("atlas", "data-poisoning")
    assert "nist-ai-600-1:2024:environmental-impacts" not in targets(
        "nist-ai-600-1", "resource-exhaustion"
    )
    assert "nist-ai-600-1:2024:human-ai-configuration" not in targets(
        "nist-ai-600-1", "agent-escape"
    )
    effects = {e.threat for e in default_catalog().controls["ai-transparency"].effects}
    assert "evasion" not in effects
    # debatable ones, reviewed
    assert "atlas:AML.T0073" not in targets("atlas", "agent-message-manipulation")
    assert "iso27001:2022:A.8.14" not in targets("iso27001", "model-ensemble")
    assert "eu-ai-act:2024:Art.15(5)" not in targets("eu-ai-act", "model-watermarking")


def test_catch_all_targets_shrank_to_specific_items() -> None:
    def sources(framework: str, item: str) -> int:
        return len(default_crosswalks()[framework].for_target(item, SourceKind.CONTROL))

    assert sources("nist-ai-rmf", "nist-ai-rmf:1.0:MANAGE-1.3") <= 6
    assert sources("eu-ai-act", "eu-ai-act:2024:Art.15(5)") <= 35
    assert "nist-ai-rmf:1.0:MAP-4.2" in targets("nist-ai-rmf", "runtime-model-integrity")
    assert "eu-ai-act:2024:Art.10" in targets("eu-ai-act", "segregate-data")


def test_nist_aml_specific_classes_are_used() -> None:
    pairs = {
        "evasion": "NISTAML.022",
        "model-inversion": "NISTAML.032",
        "membership-inference": "NISTAML.033",
        "model-exfiltration": "NISTAML.031",
        "resource-exhaustion": "NISTAML.014",
    }
    for threat, nistaml in pairs.items():
        assert f"nist-ai-100-2:2025:{nistaml}" in targets("nist-ai-100-2", threat), threat


def test_atlas_agent_techniques_are_mapped() -> None:
    linked = {link.target for link in default_crosswalks()["atlas"].links}
    for technique in (
        "T0080",
        "T0081",
        "T0083",
        "T0084",
        "T0086",
        "T0098",
        "T0099",
        "T0101",
        "T0105",
        "T0108",
        "T0110",
        "T0053",
    ):
        assert f"atlas:AML.{technique}" in linked, technique
    assert default_frameworks()["atlas"].version == "5.6.0"


def test_control_to_mitigation_links_agree_with_atlas_relations() -> None:
    catalog = default_catalog()
    control_threats = {c.id: [e.threat for e in c.effects] for c in catalog.controls.values()}
    assert mitigation_problems(default_crosswalks(), control_threats) == []
    # a link ATLAS does not support is caught: encryption does not address evasion techniques
    atlas = default_crosswalks()["atlas"]
    bad = Link(
        "train-adversarial",
        SourceKind.CONTROL,
        "atlas:AML.M0012",
        Relationship.SUBSET,
        "wrong on purpose",
    )
    broken = {"atlas": replace(atlas, links=(*atlas.links, bad))}
    (problem,) = mitigation_problems(broken, control_threats)
    assert "train-adversarial -> atlas:AML.M0012" in problem


# Periodic-table entries aisec deliberately does not credit, with the reason.
NOT_CREDITED = {
    (
        "devmodelpoison",
        "federatedlearning",
    ): "malicious client updates are themselves a route to model poisoning",
    (
        "devmodelleak",
        "federatedlearning",
    ): "the global model still sits in the development environment",
    (
        "supplymodelpoison",
        "devsecurity",
    ): "listed as the supplier's control; aisec asks for it via supply-chain-manage",
    (
        "supplymodelpoison",
        "segregatedata",
    ): "listed as the supplier's control; aisec asks for it via supply-chain-manage",
    (
        "supplymodelpoison",
        "federatedlearning",
    ): "listed as the supplier's control; aisec asks for it via supply-chain-manage",
}


def test_control_effects_match_the_exchange_periodic_table() -> None:
    catalog = default_catalog()
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["threats"]
    by_tag = {c.owasp_aix.lstrip("#").lower(): c for c in catalog.controls.values() if c.owasp_aix}
    missing = []
    for slug, controls in table.items():
        threats = {
            t.id
            for t in catalog.threats.values()
            if t.owasp_aix == slug or slug in t.owasp_aix_related
        }
        assert threats, f"no aisec threat carries the Exchange slug {slug}"
        for tag in controls:
            if tag == "limitunwanted":  # a group of general controls, credited individually
                continue
            control = by_tag[tag]
            credited = any(e.threat in threats for e in control.effects)
            if not credited and (slug, tag) not in NOT_CREDITED:
                missing.append(f"{slug} <- {control.id}")
    assert missing == []
    assert crosswalk_problems(catalog) == []


def test_validate_accepts_overlay_refs_to_real_items_and_names_unknown_ones(
    write_overlay, control_overlay, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    text = control_overlay("direct-prompt-injection")
    good = write_overlay(text + "    refs: [atlas:AML.M0015]\n", "good.yaml")
    assert main(["catalog", "validate", "--overlay", str(good)]) == ExitCode.OK
    bad = write_overlay(text + "    refs: [atlas:AML.M9999]\n", "bad.yaml")
    assert main(["catalog", "validate", "--overlay", str(bad)]) != ExitCode.OK
    assert "overlay control waf-for-llm: unknown reference 'atlas:AML.M9999'" in (
        capsys.readouterr().err
    )


def test_catalog_ids_doc_states_version_source_and_coverage_of_every_list() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "catalog-ids.md").read_text("utf-8")
    rows = {
        line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")
    }
    for key, framework in default_frameworks().items():
        crosswalk = default_crosswalks()[key]
        linked = len({link.target for link in crosswalk.links})
        row = rows[key]
        assert framework.version in row and framework.source in row, key
        assert row.endswith(
            f"| {len(framework.items)} | {linked} / {len(crosswalk.outside_scope)} |"
        )
