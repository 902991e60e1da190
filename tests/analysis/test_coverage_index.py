"""The fast coverage path: its JSON is exactly the models' JSON, it follows RULE, and its
per-catalogue index never serves one catalogue's names or links for another."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec.analysis import coverage_index
from aisec.analysis.assess import assess
from aisec.analysis.coverage import (
    THREAT_ADDRESSED_SHARE,
    ControlInput,
    FrameworkCoverage,
    ItemStatus,
    coverage,
    coverage_data,
    states_from_views,
)
from aisec.catalog import default_catalog
from aisec.catalog.crosswalk import SourceKind, default_crosswalks
from aisec.catalog.frameworks import Shape, default_frameworks
from aisec.system import load_system
from aisec.system.assessment import ControlStatus, load_assessment

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def test_status_values_follow_the_model_enum() -> None:
    assert coverage_index.STATUSES == tuple(s.value for s in ItemStatus)


@pytest.mark.parametrize("example", ["email-agent", "fraud-classifier"])
def test_json_is_exactly_the_models_dump(example: str) -> None:
    """What reports and the server store (the JSON) equals what the models say, key order
    included, with states and applicability, without them, and for every framework."""
    catalog = default_catalog()
    system = load_system(EXAMPLES / f"{example}.yaml")
    assessment = load_assessment(EXAMPLES / f"{example}.assessment.yaml", set(catalog.controls))
    result = assess(catalog, system, assessment, datetime(2026, 11, 26, tzinfo=UTC))
    states = states_from_views(result.controls)
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    for framework in default_frameworks().values():
        for args in ((states, applicable), (None, applicable), (states, None), (None, None)):
            data = coverage_data(catalog, default_crosswalks(), framework, *args)
            dumped = FrameworkCoverage.model_validate(data).model_dump(mode="json")
            assert list(dumped) == list(data) and dumped == data
            assert [list(i) for i in dumped["items"]] == [list(i) for i in data["items"]]


def _expected(item_id: str, shape: Shape, key: str, states: dict[str, ControlInput]) -> str:
    """RULE restated plainly from the crosswalk links (the oracle for the indexed path)."""
    catalog, crosswalk = default_catalog(), default_crosswalks()[key]
    if item_id in crosswalk.outside_scope:
        return "outside-scope"

    def state(control: str) -> tuple[bool, float]:
        given = states.get(control)
        return (True, 0.0) if given is None else (given.applicable, given.status.strength)

    if shape is Shape.THREAT:
        threats = [link.source for link in crosswalk.for_target(item_id, SourceKind.THREAT)]
        if not threats:
            return "not-mapped"
        behind = {c for t in threats for c in catalog.controls_for(t)}
        counted = [state(c)[1] for c in behind if state(c)[0]]
        if not counted:
            return "not-applicable"
        addressed = []
        for threat in threats:
            shares = [state(c)[1] for c in catalog.controls_for(threat) if state(c)[0]]
            addressed.append(bool(shares) and sum(shares) / len(shares) >= THREAT_ADDRESSED_SHARE)
        if all(addressed):
            return "supported"
        return "partly" if any(p > 0 for p in counted) else "not-supported"
    links = crosswalk.for_target(item_id, SourceKind.CONTROL)
    if not links:
        return "not-mapped"
    counted_links = [(link, state(link.source)[1]) for link in links if state(link.source)[0]]
    if not counted_links:
        return "not-applicable"
    done = [(p >= 1.0, link.rel.covers_item) for link, p in counted_links]
    if all(d for d, _ in done) or any(d and covers for d, covers in done):
        return "supported"
    return "partly" if any(p > 0 for _, p in counted_links) else "not-supported"


ORDER = list(ControlStatus)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    levels=st.dictionaries(
        st.sampled_from(sorted(default_catalog().controls)),
        st.tuples(st.integers(0, len(ORDER) - 1), st.booleans()),
        max_size=40,
    ),
    key=st.sampled_from(sorted(default_frameworks())),
)
def test_indexed_statuses_follow_the_rule(levels: dict[str, tuple[int, bool]], key: str) -> None:
    states = {c: ControlInput(ORDER[i], applicable=a) for c, (i, a) in levels.items()}
    framework = default_frameworks()[key]
    result = coverage(default_catalog(), default_crosswalks(), framework, states)
    for item in result.items:
        shape = framework.shape_of(item.id)
        assert item.status.value == _expected(item.id, shape, key, states), item.id


def test_index_is_per_catalogue() -> None:
    """A catalogue with another control name (an overlay) gets its own index, never the
    bundled one's; the index stays bounded however many catalogues pass through."""
    bundled = default_catalog()
    framework = default_frameworks()["iso42001"]
    crosswalks = default_crosswalks()
    control = next(link.source for link in crosswalks["iso42001"].links)
    renamed = bundled.controls[control].model_copy(update={"name": "Renamed by an overlay"})
    other = replace(bundled, controls={**bundled.controls, control: renamed})

    def names(catalog: object) -> set[str]:
        data = coverage_data(catalog, crosswalks, framework)  # type: ignore[arg-type]
        return {c["name"] for i in data["items"] for c in i["controls"] if c["control"] == control}

    assert names(bundled) == {bundled.controls[control].name}
    assert names(other) == {"Renamed by an overlay"}
    assert names(bundled) == {bundled.controls[control].name}
    for _ in range(coverage_index.MAX_PLANS + 5):
        names(replace(bundled))
    assert len(coverage_index._PLANS) <= coverage_index.MAX_PLANS


def test_store_only_callers_get_the_same_extras_without_models() -> None:
    """`models=False` (the server storing a re-assessment) skips the shown models but stores
    exactly the JSON a full run stores, AI Act scoping included."""
    from aisec.reports.compliance import compliance_sections

    catalog = default_catalog()
    system = load_system(EXAMPLES / "email-agent.yaml")
    assessment = load_assessment(EXAMPLES / "email-agent.assessment.yaml", set(catalog.controls))
    result = assess(catalog, system, assessment, datetime(2026, 11, 26, tzinfo=UTC))
    applicable = {d.threat_id for d in result.decisions if d.applicable}
    full = compliance_sections(catalog, system, assessment, applicable, result.controls)
    lean = compliance_sections(
        catalog, system, assessment, applicable, result.controls, models=False
    )
    assert full[0] and lean[0] == ()
    assert lean[1] == full[1] and lean[2] == full[2]
    scoped = next(c for c in lean[2]["crosswalks"] if c["framework"] == "eu-ai-act")
    assert any(
        (i["note"] or "").startswith("not applicable to this system") for i in scoped["items"]
    )
