"""User overlays: additions and overrides work; every kind of mistake is located precisely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from aisec.catalog import Catalog, build_catalog
from aisec.catalog.schema import ClauseStatus, Role
from aisec.common.errors import CatalogError, InputError

WriteOverlay = Callable[..., Path]
Overlay = Callable[[str], str]
EFFECTS_LINE = 10  # 1-based line of "effects:" in the control_overlay fixture's text


def test_overlay_adds_control_and_overrides_clause(
    write_overlay: WriteOverlay, control_overlay: Overlay, catalog: Catalog
) -> None:
    text = control_overlay("evasion") + (
        "iso27090:\n"
        "  model-inversion: {clause: '6.6', status: confirmed, label: from our licensed copy}\n"
    )
    merged = build_catalog([write_overlay(text)])
    assert "waf-for-llm" in merged.controls
    assert "waf-for-llm" in merged.controls_for("evasion")
    assert merged.controls["waf-for-llm"].role is Role.INTEGRATOR
    iso = merged.threats["model-inversion"].iso27090
    assert (iso.clause, iso.status) == ("6.6", ClauseStatus.CONFIRMED)
    # The bundled catalogue is untouched.
    assert "waf-for-llm" not in catalog.controls
    assert catalog.threats["model-inversion"].iso27090.status is ClauseStatus.UNKNOWN
    assert str(write_overlay(text)) in merged.sources


def test_overlay_replaces_bundled_record(write_overlay: WriteOverlay, catalog: Catalog) -> None:
    original = catalog.controls["rate-limit"]
    replaced = original.model_copy(update={"role": Role.VENDOR, "name": "Provider-side quotas"})
    text = yaml.safe_dump({"controls": [replaced.model_dump(mode="json")]}, sort_keys=False)
    merged = build_catalog([write_overlay(text)])
    assert merged.controls["rate-limit"].role is Role.VENDOR
    assert merged.controls["rate-limit"].name == "Provider-side quotas"
    assert len(merged.controls) == len(catalog.controls)


def test_overlays_apply_in_order(write_overlay: WriteOverlay, control_overlay: Overlay) -> None:
    first = write_overlay(control_overlay("evasion"), "a.yaml")
    second = write_overlay(
        control_overlay("backdoor").replace("role: integrator", "role: vendor"),
        "b.yaml",
    )
    merged = build_catalog([first, second])
    assert merged.controls["waf-for-llm"].role is Role.VENDOR
    assert "waf-for-llm" in merged.controls_for("backdoor")
    assert "waf-for-llm" not in merged.controls_for("evasion")


def test_unknown_threat_in_effects_is_located(
    write_overlay: WriteOverlay, control_overlay: Overlay
) -> None:
    path = write_overlay(control_overlay("no-such-threat"))
    with pytest.raises(CatalogError) as info:
        build_catalog([path])
    err = info.value
    assert err.source == str(path)
    assert err.line == EFFECTS_LINE
    assert err.field == "controls[0] (waf-for-llm).effects"
    assert "unknown threat 'no-such-threat'" in str(err)
    assert f"{path}:{EFFECTS_LINE}" in str(err)


@pytest.mark.parametrize(
    ("edit", "line", "field", "message"),
    [
        # duplicate key: the second 'name' on line 5
        (
            lambda t: t.replace("    summary:", "    name: again\n    summary:"),
            5,
            None,
            "duplicate key 'name'",
        ),
        # wrong enum value
        (lambda t: t.replace("category: IOH", "category: XYZ"), 6, "controls[0].category", "GOV"),
        # missing required field: located at the record
        (
            lambda t: t.replace(
                "    summary: A commercial LLM firewall screens prompts and answers.\n", ""
            ),
            3,
            "controls[0].summary",
            "required field is missing",
        ),
        # unknown field
        (
            lambda t: t.replace("    kind: technical", "    kind: technical\n    colour: blue"),
            8,
            "controls[0].colour",
            "unknown field",
        ),
        # effect size out of range
        (
            lambda t: t.replace("likelihood: 1}", "likelihood: 7}"),
            11,
            "controls[0].effects[0].likelihood",
            "less than or equal to 3",
        ),
    ],
    ids=["duplicate-key", "wrong-enum", "missing-field", "unknown-field", "out-of-range"],
)
def test_schema_mistakes_are_precise(
    write_overlay: WriteOverlay,
    control_overlay: Overlay,
    edit: Callable[[str], str],
    line: int,
    field: str | None,
    message: str,
) -> None:
    path = write_overlay(edit(control_overlay("evasion")))
    with pytest.raises(InputError) as info:
        build_catalog([path])
    err = info.value
    assert err.source == str(path)
    assert err.line == line
    if field is not None:
        assert err.field == field
    assert message in str(err)


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (
            lambda _: "iso27090:\n  nope: {clause: '6.2', status: inferred}\n",
            "iso27090.nope",
            "unknown threat 'nope'",
        ),
        (
            lambda base: base.replace(
                "    evidence:", "    depends_on: [ghost-control]\n    evidence:"
            ),
            "controls[0] (waf-for-llm).depends_on",
            "unknown control 'ghost-control'",
        ),
        (
            lambda _: (
                "practices:\n  - id: my-practice\n    name: Mine\n    summary: Ours.\n"
                "    principles: [integrity]\n    phases: [design]\n    questions:\n"
                "      - {id: q-one, text: Is it done?, controls: [ghost-control]}\n"
            ),
            "practices[0] (my-practice).questions",
            "names unknown control 'ghost-control'",
        ),
    ],
    ids=["iso-unknown-threat", "unknown-dependency", "question-unknown-control"],
)
def test_cross_reference_mistakes_are_precise(
    write_overlay: WriteOverlay,
    control_overlay: Overlay,
    make: Callable[[str], str],
    field: str,
    message: str,
) -> None:
    path = write_overlay(make(control_overlay("evasion")))
    with pytest.raises(CatalogError) as info:
        build_catalog([path])
    assert info.value.source == str(path)
    assert info.value.line is not None and info.value.line >= 1
    assert info.value.field == field
    assert message in str(info.value)


def test_empty_and_missing_overlays(write_overlay: WriteOverlay, tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="empty"):
        build_catalog([write_overlay("# nothing here\n")])
    with pytest.raises(InputError, match="cannot read file"):
        build_catalog([tmp_path / "absent.yaml"])


def test_overlay_cannot_use_unsafe_yaml(write_overlay: WriteOverlay) -> None:
    path = write_overlay("controls: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(InputError):
        build_catalog([path])
