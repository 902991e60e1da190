"""Crosswalk data: every ID exists, every control is mapped, the AI Act scope is accounted for,
the catalogue's refs and the crosswalk agree, and broken files fail with a location."""

from __future__ import annotations

import pytest

from aisec.catalog import Catalog
from aisec.catalog.crosswalk import (
    Crosswalk,
    SourceKind,
    default_crosswalks,
    load_crosswalks,
    parse_crosswalk,
    ref_disagreements,
)
from aisec.catalog.frameworks import FRAMEWORK_KEYS, Shape, default_frameworks, known_ref
from aisec.common.errors import InputError
from aisec.common.yamlio import load_yaml_text

AI_ACT_IN_SCOPE = (
    "9",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "15(5)",
    "17",
    "26",
    "27",
    "50",
    "53",
    "55",
    "72",
    "73",
)


@pytest.fixture(scope="module")
def crosswalks() -> dict[str, Crosswalk]:
    return dict(default_crosswalks())


def test_every_framework_has_a_crosswalk(crosswalks: dict[str, Crosswalk]) -> None:
    assert set(crosswalks) == set(FRAMEWORK_KEYS)
    assert all(crosswalks[key].links for key in FRAMEWORK_KEYS)


def test_every_id_used_exists_in_the_reference_lists(crosswalks: dict[str, Crosswalk]) -> None:
    for key, crosswalk in crosswalks.items():
        for link in crosswalk.links:
            assert known_ref(link.target), link
            assert link.target in default_frameworks()[key].items
        for item in crosswalk.outside_scope:
            assert known_ref(item)


def test_every_catalogue_ref_exists_in_the_reference_lists(catalog: Catalog) -> None:
    refs = [r for t in catalog.threats.values() for r in t.refs]
    refs += [r for c in catalog.controls.values() for r in c.refs]
    assert refs, "the catalogue carries framework refs"
    assert [r for r in refs if not known_ref(r)] == []


def test_link_sources_are_catalogue_ids(catalog: Catalog, crosswalks: dict[str, Crosswalk]) -> None:
    for crosswalk in crosswalks.values():
        for link in crosswalk.links:
            pool = catalog.controls if link.source_kind is SourceKind.CONTROL else catalog.threats
            assert link.source in pool, link


def test_every_control_maps_to_iso42001_or_iso27001(
    catalog: Catalog, crosswalks: dict[str, Crosswalk]
) -> None:
    iso = {link.source for key in ("iso42001", "iso27001") for link in crosswalks[key].links}
    assert sorted(set(catalog.controls) - iso) == []
    assert len(catalog.controls) == 65


def test_every_threat_reaches_a_threat_shaped_framework(
    catalog: Catalog, crosswalks: dict[str, Crosswalk]
) -> None:
    linked = {
        link.source
        for c in crosswalks.values()
        for link in c.links
        if link.source_kind is SourceKind.THREAT
    }
    assert sorted(set(catalog.threats) - linked) == []


@pytest.mark.parametrize("article", AI_ACT_IN_SCOPE)
def test_ai_act_article_is_reached_or_marked(
    article: str, crosswalks: dict[str, Crosswalk]
) -> None:
    item = f"eu-ai-act:2024:Art.{article}"
    act = crosswalks["eu-ai-act"]
    reached = act.for_target(item, SourceKind.CONTROL)
    reason = act.outside_scope.get(item)
    assert reached or (reason and len(reason) > 20)


def test_threat_refs_and_crosswalk_agree(
    catalog: Catalog, crosswalks: dict[str, Crosswalk]
) -> None:
    problems = ref_disagreements(
        {t.id: t.refs for t in catalog.threats.values()},
        {c.id: c.refs for c in catalog.controls.values()},
        crosswalks,
    )
    assert problems == []


def test_ref_disagreements_reports_both_directions(crosswalks: dict[str, Crosswalk]) -> None:
    threat_refs = {
        # drops LLM04, adds LLM09 which the crosswalk does not link from data-poisoning
        "data-poisoning": ["owasp-llm:2025:LLM09"],
        "evasion": ["atlas:AML.T9999"],
    }
    control_refs = {"rate-limit": ["atlas:AML.M0034"]}
    problems = ref_disagreements(threat_refs, control_refs, crosswalks)
    text = "\n".join(problems)
    assert "'owasp-llm:2025:LLM09' has no crosswalk link" in text
    assert "links 'owasp-llm:2025:LLM04' missing from refs" in text
    assert "unknown reference 'atlas:AML.T9999'" in text
    assert "control rate-limit: ref 'atlas:AML.M0034' has no crosswalk link" in text


def test_threat_shaped_items_are_only_linked_from_threats(crosswalks: dict[str, Crosswalk]) -> None:
    for key, crosswalk in crosswalks.items():
        framework = default_frameworks()[key]
        for link in crosswalk.links:
            wanted = Shape.THREAT if link.source_kind is SourceKind.THREAT else Shape.CONTROL
            assert framework.shape_of(link.target) is wanted


def test_loader_checks_sources_against_given_ids() -> None:
    with pytest.raises(InputError, match="unknown control 'ai-program'"):
        load_crosswalks(control_ids=["rate-limit"], threat_ids=[])


BASE = """\
framework: owasp-llm
threats:
  evasion:
    - {to: "owasp-llm:2025:LLM01", rel: intersects, why: "a rationale long enough"}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE.replace("LLM01", "LLM11"), "unknown owasp-llm item 'owasp-llm:2025:LLM11'"),
        (
            BASE.replace("threats:", "controls:").replace("evasion", "rate-limit"),
            "threat-shaped; link it from a threat",
        ),
        (BASE.replace("intersects", "overlaps"), "rel"),
        (BASE.replace("a rationale long enough", "short"), "why"),
        (BASE.replace("evasion", "no-such-threat"), "unknown threat 'no-such-threat'"),
        (BASE + BASE.splitlines()[-1] + "\n", "listed twice"),
        (BASE.replace("framework: owasp-llm", "framework: owasp-xx"), "unknown or unexpected"),
        (
            BASE + 'outside_scope:\n  - {item: "owasp-llm:2025:LLM01", why: "a reason here"}\n',
            "linked or listed twice",
        ),
        (BASE + "extra: 1\n", "unknown field"),
    ],
)
def test_parse_crosswalk_rejects_with_location(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_crosswalk(
            load_yaml_text(text, "cw.yaml"),
            default_frameworks(),
            control_ids=["rate-limit"],
            threat_ids=["evasion"],
        )
    assert message in str(caught.value)
    assert str(caught.value).startswith("cw.yaml:")


def test_parse_crosswalk_keeps_relationship_and_rationale() -> None:
    crosswalk = parse_crosswalk(load_yaml_text(BASE, "cw.yaml"), default_frameworks())
    (link,) = crosswalk.links
    assert (link.source, link.target, link.rel.value) == (
        "evasion",
        "owasp-llm:2025:LLM01",
        "intersects",
    )
    assert crosswalk.for_source("evasion", SourceKind.CONTROL) == ()
