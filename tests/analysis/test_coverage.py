"""Coverage arithmetic: hand-made framework and crosswalk files, then the bundled examples."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec.analysis.coverage import (
    THREAT_ADDRESSED_SHARE,
    ControlInput,
    ItemStatus,
    coverage,
    states_from_assessment,
)
from aisec.catalog import Catalog, default_catalog
from aisec.catalog.crosswalk import default_crosswalks, parse_crosswalk
from aisec.catalog.frameworks import Framework, default_frameworks, parse_framework
from aisec.common.yamlio import load_yaml_file
from aisec.system.assessment import ControlStatus, load_assessment

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"

FRAMEWORK = """\
key: demo
name: Demo framework
version: "1"
namespace: "demo:1:"
shape: control
source: hand-made for tests
licence: none
items:
  - {id: "demo:1:C1", title: "strong and weak link"}
  - {id: "demo:1:C2", title: "two partial links"}
  - {id: "demo:1:C3", title: "nothing maps here"}
  - {id: "demo:1:C4", title: "beyond security"}
  - {id: "demo:1:T1", title: "a threat-like item", shape: threat}
"""

CROSSWALK = """\
framework: demo
controls:
  rate-limit:
    - {to: "demo:1:C1", rel: equal, why: "covers the whole item"}
  model-access-control:
    - {to: "demo:1:C1", rel: intersects, why: "overlaps the item"}
    - {to: "demo:1:C2", rel: subset, why: "covers part of the item"}
  monitor-use:
    - {to: "demo:1:C2", rel: subset, why: "covers another part"}
threats:
  evasion:
    - {to: "demo:1:T1", rel: equal, why: "same threat, other words"}
outside_scope:
  - {item: "demo:1:C4", why: "not a security matter at all"}
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, dict, Framework]:
    folder = tmp_path_factory.mktemp("demo")
    (folder / "demo.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (folder / "cw.yaml").write_text(CROSSWALK, encoding="utf-8")
    framework = parse_framework(load_yaml_file(folder / "demo.yaml"))
    registry = MappingProxyType({"demo": framework})
    catalog = replace(
        default_catalog(), mitigations={"evasion": ("rate-limit", "model-access-control")}
    )
    crosswalk = parse_crosswalk(
        load_yaml_file(folder / "cw.yaml"),
        registry,
        control_ids=catalog.controls,
        threat_ids=catalog.threats,
    )
    return catalog, {"demo": crosswalk}, framework


def _states(**statuses: str) -> dict[str, ControlInput]:
    out = {}
    for name, status in statuses.items():
        control = name.replace("_", "-")
        if status == "n/a":
            out[control] = ControlInput(ControlStatus.NOT_IMPLEMENTED, applicable=False)
        else:
            out[control] = ControlInput(ControlStatus(status), evidence=(f"ev-{control}",))
    return out


def _status(setup: tuple[Catalog, dict, Framework], item: str, **statuses: str) -> ItemStatus:
    catalog, crosswalks, framework = setup
    result = coverage(catalog, crosswalks, framework, _states(**statuses))
    return next(i for i in result.items if i.id == item).status


def test_without_states_items_are_touched_or_not(setup: tuple[Catalog, dict, Framework]) -> None:
    result = coverage(*setup)
    by_id = {i.id: i for i in result.items}
    assert not result.assessed
    assert by_id["demo:1:C1"].status is ItemStatus.TOUCHED
    assert by_id["demo:1:C3"].status is ItemStatus.NOT_MAPPED
    assert by_id["demo:1:C4"].status is ItemStatus.OUTSIDE_SCOPE
    assert by_id["demo:1:C4"].note == "not a security matter at all"
    assert by_id["demo:1:T1"].status is ItemStatus.TOUCHED
    assert [c.control for c in by_id["demo:1:T1"].controls] == [
        "rate-limit",
        "model-access-control",
    ]
    assert by_id["demo:1:T1"].controls[0].via_threats == ["evasion"]
    assert result.counts[ItemStatus.TOUCHED] == 3 and sum(result.counts.values()) == 5
    assert result.touched == 3


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"rate_limit": "implemented"}, ItemStatus.SUPPORTED),  # equal link done
        ({"rate_limit": "verified", "model_access_control": "verified"}, ItemStatus.SUPPORTED),
        ({"rate_limit": "partial"}, ItemStatus.PARTLY),
        ({"model_access_control": "implemented"}, ItemStatus.PARTLY),  # weak link only
        ({"rate_limit": "planned", "model_access_control": "planned"}, ItemStatus.NOT_SUPPORTED),
        ({}, ItemStatus.NOT_SUPPORTED),  # nothing assessed counts as not done
        ({"rate_limit": "n/a", "model_access_control": "implemented"}, ItemStatus.SUPPORTED),
        ({"rate_limit": "n/a", "model_access_control": "n/a"}, ItemStatus.NOT_APPLICABLE),
    ],
)
def test_control_shaped_rule(
    setup: tuple[Catalog, dict, Framework], statuses: dict[str, str], expected: ItemStatus
) -> None:
    assert _status(setup, "demo:1:C1", **statuses) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"model_access_control": "implemented", "monitor_use": "verified"}, ItemStatus.SUPPORTED),
        ({"model_access_control": "implemented"}, ItemStatus.PARTLY),  # subsets need all
        ({"monitor_use": "not-implemented"}, ItemStatus.NOT_SUPPORTED),
    ],
)
def test_subset_links_need_every_control(
    setup: tuple[Catalog, dict, Framework], statuses: dict[str, str], expected: ItemStatus
) -> None:
    assert _status(setup, "demo:1:C2", **statuses) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({}, ItemStatus.NOT_SUPPORTED),
        ({"rate_limit": "implemented"}, ItemStatus.SUPPORTED),  # 1/2 = threshold
        ({"rate_limit": "partial"}, ItemStatus.PARTLY),  # 0.25 < threshold
        ({"rate_limit": "partial", "model_access_control": "partial"}, ItemStatus.SUPPORTED),
        ({"rate_limit": "n/a", "model_access_control": "partial"}, ItemStatus.SUPPORTED),
        ({"rate_limit": "n/a", "model_access_control": "n/a"}, ItemStatus.NOT_APPLICABLE),
    ],
)
def test_threat_shaped_rule(
    setup: tuple[Catalog, dict, Framework], statuses: dict[str, str], expected: ItemStatus
) -> None:
    assert THREAT_ADDRESSED_SHARE == 0.5
    assert _status(setup, "demo:1:T1", **statuses) is expected


def test_statuses_and_evidence_are_reported(setup: tuple[Catalog, dict, Framework]) -> None:
    catalog, crosswalks, framework = setup
    result = coverage(catalog, crosswalks, framework, _states(rate_limit="verified"))
    item = next(i for i in result.items if i.id == "demo:1:C1")
    rate = next(c for c in item.controls if c.control == "rate-limit")
    assert rate.status is ControlStatus.VERIFIED and rate.evidence == ["ev-rate-limit"]
    assert rate.relationship is not None and rate.relationship.value == "equal"
    other = next(c for c in item.controls if c.control == "model-access-control")
    assert other.status is None  # not in the assessment
    threat_item = next(i for i in result.items if i.id == "demo:1:T1")
    assert threat_item.threats[0].addressed is True
    json.dumps(result.model_dump(mode="json"))


def test_control_input_accepts_plain_strings() -> None:
    state = ControlInput("partial", evidence=["a"])  # type: ignore[arg-type]
    assert state.status is ControlStatus.PARTIAL and state.evidence == ("a",)
    with pytest.raises(ValueError):
        ControlInput("done")  # type: ignore[arg-type]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.assessment.yaml")))
@pytest.mark.parametrize("key", ["iso42001", "eu-ai-act", "atlas", "owasp-llm"])
def test_bundled_assessments_obey_the_rule(example: str, key: str) -> None:
    catalog = default_catalog()
    assessment = load_assessment(EXAMPLES / example, set(catalog.controls))
    states = states_from_assessment(assessment)
    result = coverage(catalog, default_crosswalks(), default_frameworks()[key], states)
    assert result.assessed and sum(result.counts.values()) == len(result.items)
    for item in result.items:
        progress = [
            states[c.control].status.strength
            for c in item.controls
            if c.control in states and states[c.control].applicable
        ]
        if item.status is ItemStatus.SUPPORTED:
            assert progress and max(progress) >= 0.5
        elif item.status is ItemStatus.NOT_SUPPORTED:
            assert not any(progress)
        elif item.status is ItemStatus.PARTLY:
            assert any(progress)
        elif item.status is ItemStatus.NOT_MAPPED:
            assert not item.controls


@pytest.mark.parametrize(
    ("applicable", "statuses", "expected"),
    [
        (set(), {}, ItemStatus.NOT_APPLICABLE),
        ({"data-poisoning"}, {"rate_limit": "implemented"}, ItemStatus.NOT_APPLICABLE),
        ({"evasion"}, {"rate_limit": "implemented"}, ItemStatus.SUPPORTED),
        (None, {"rate_limit": "implemented"}, ItemStatus.SUPPORTED),
    ],
)
def test_threats_that_do_not_apply_make_items_not_applicable(
    setup: tuple[Catalog, dict, Framework],
    applicable: set[str] | None,
    statuses: dict[str, str],
    expected: ItemStatus,
) -> None:
    catalog, crosswalks, framework = setup
    result = coverage(catalog, crosswalks, framework, _states(**statuses), applicable)
    item = next(i for i in result.items if i.id == "demo:1:T1")
    assert item.status is expected
    if expected is ItemStatus.NOT_APPLICABLE:
        assert item.controls == [] and item.note and "applies" in item.note
        assert item.threats[0].applies is False and item.threats[0].addressed is None


RANK = {ItemStatus.NOT_SUPPORTED: 0, ItemStatus.PARTLY: 1, ItemStatus.SUPPORTED: 2}
ORDER = list(ControlStatus)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    levels=st.dictionaries(
        st.sampled_from(sorted(default_catalog().controls)),
        st.integers(0, len(ORDER) - 1),
        max_size=30,
    ),
    bump=st.sampled_from(sorted(default_catalog().controls)),
    key=st.sampled_from(["iso42001", "eu-ai-act", "owasp-llm"]),
)
def test_more_progress_never_lowers_an_item(levels: dict[str, int], bump: str, key: str) -> None:
    catalog, crosswalks = default_catalog(), default_crosswalks()
    framework = default_frameworks()[key]
    before = {c: ControlInput(ORDER[i]) for c, i in levels.items()}
    after = dict(before)
    after[bump] = ControlInput(ControlStatus.VERIFIED)
    old = {i.id: i.status for i in coverage(catalog, crosswalks, framework, before).items}
    new = {i.id: i.status for i in coverage(catalog, crosswalks, framework, after).items}
    for item_id, status in old.items():
        if status in RANK:
            assert RANK[new[item_id]] >= RANK[status], item_id
