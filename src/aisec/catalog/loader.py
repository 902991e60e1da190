"""Load and cross-check the catalogue (bundled data plus optional user overlays).

Every file is schema-checked; then every cross-reference (control -> threat, control -> control,
question -> control) is resolved. Errors name the file, the line, the record and the field, so
a user editing an overlay can fix it without reading our code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from aisec.catalog.schema import (
    ApplicabilityFile,
    ApplicabilityRule,
    CategoriesFile,
    CategoryInfo,
    Control,
    ControlsFile,
    Effect,
    Iso27090Ref,
    Overlay,
    Practice,
    PracticesFile,
    Threat,
    ThreatsFile,
)
from aisec.common.errors import CatalogError
from aisec.common.yamlio import LocatedYaml, load_yaml_file, load_yaml_text, validate_located

DATA_PACKAGE = "aisec.catalog.data"
R = TypeVar("R", Threat, Control, Practice)


@dataclass(frozen=True)
class Catalog:
    """The validated knowledge base; dicts keep file order."""

    version: str
    threats: dict[str, Threat]
    controls: dict[str, Control]
    categories: dict[str, CategoryInfo]
    practices: dict[str, Practice]
    rules: dict[str, ApplicabilityRule] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    mitigations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    effects: dict[tuple[str, str], Effect] = field(default_factory=dict)

    def threat(self, threat_id: str) -> Threat:
        return self.threats[threat_id]

    def control(self, control_id: str) -> Control:
        return self.controls[control_id]

    def effect(self, control_id: str, threat_id: str) -> Effect:
        """The effect of a control on a threat (KeyError if it has none)."""
        return self.effects[(control_id, threat_id)]

    def controls_for(self, threat_id: str) -> tuple[str, ...]:
        """Controls whose effects name this threat (derived, so it can never drift)."""
        return self.mitigations.get(threat_id, ())


def _bundled_text(name: str) -> tuple[str, str]:
    ref = resources.files(DATA_PACKAGE).joinpath(name)
    return ref.read_text(encoding="utf-8"), f"aisec/catalog/data/{name}"


def _load_bundled(name: str) -> LocatedYaml:
    text, source = _bundled_text(name)
    return load_yaml_text(text, source)


def _record_error(
    located: LocatedYaml, key: str, index: int, record_id: str, field_name: str, message: str
) -> CatalogError:
    line = located.line_of((key, index, field_name))
    return CatalogError(
        message,
        source=located.source,
        line=line,
        field=f"{key}[{index}] ({record_id}).{field_name}",
    )


def _collect(
    items: Sequence[R],
    located: LocatedYaml,
    key: str,
    kind: str,
    where: dict[str, tuple[LocatedYaml, str, int]],
) -> dict[str, R]:
    """Index records by id, refusing duplicates, and remember where each came from."""
    out: dict[str, R] = {}
    for index, item in enumerate(items):
        if item.id in out:
            raise _record_error(
                located, key, index, item.id, "id", f"duplicate {kind} id {item.id!r}"
            )
        out[item.id] = item
        where.setdefault(item.id, (located, key, index))
    return out


def _apply_overlay(
    target: dict[str, R],
    items: Sequence[R],
    located: LocatedYaml,
    key: str,
    where: dict[str, tuple[LocatedYaml, str, int]],
) -> None:
    """Overlay records replace bundled ones with the same id: that is how a user adapts ours."""
    for index, item in enumerate(items):
        target[item.id] = item
        where[item.id] = (located, key, index)


def _cross_check(
    threats: dict[str, Threat],
    controls: dict[str, Control],
    practices: dict[str, Practice],
    where: dict[str, tuple[LocatedYaml, str, int]],
) -> None:
    def fail(record_id: str, field_name: str, message: str) -> CatalogError:
        located, key, index = where[record_id]
        return _record_error(located, key, index, record_id, field_name, message)

    clash = set(threats) & set(controls)
    if clash:
        first = sorted(clash)[0]
        raise fail(first, "id", f"id {first!r} is used by both a threat and a control")
    for control in controls.values():
        seen: set[str] = set()
        for effect in control.effects:
            if effect.threat not in threats:
                raise fail(control.id, "effects", f"unknown threat {effect.threat!r}")
            if effect.threat in seen:
                raise fail(control.id, "effects", f"threat {effect.threat!r} listed twice")
            if effect.likelihood == 0 and effect.impact == 0:
                raise fail(
                    control.id,
                    "effects",
                    f"effect on {effect.threat!r} lowers neither likelihood nor impact",
                )
            seen.add(effect.threat)
        for dep in control.depends_on:
            if dep not in controls:
                raise fail(control.id, "depends_on", f"unknown control {dep!r}")
        for conflict in control.conflicts_with:
            if conflict.control not in controls:
                raise fail(control.id, "conflicts_with", f"unknown control {conflict.control!r}")
    for practice in practices.values():
        for question in practice.questions:
            for control_id in question.controls:
                if control_id not in controls:
                    raise fail(
                        practice.id,
                        "questions",
                        f"question {question.id!r} names unknown control {control_id!r}",
                    )


def build_catalog(overlays: Iterable[Path] = ()) -> Catalog:
    """Load bundled data, apply overlays in order, validate every cross-reference."""
    where: dict[str, tuple[LocatedYaml, str, int]] = {}
    threats_y = _load_bundled("threats.yaml")
    controls_y = _load_bundled("controls.yaml")
    categories_y = _load_bundled("categories.yaml")
    practices_y = _load_bundled("practices.yaml")
    threats_f = validate_located(ThreatsFile, threats_y)
    controls_f = validate_located(ControlsFile, controls_y)
    categories_f = validate_located(CategoriesFile, categories_y)
    practices_f = validate_located(PracticesFile, practices_y)
    rules_y = _load_bundled("applicability.yaml")
    rules_f = validate_located(ApplicabilityFile, rules_y)
    rules: dict[str, ApplicabilityRule] = {}
    rule_where: dict[str, tuple[LocatedYaml, int]] = {}
    for index, rule in enumerate(rules_f.rules):
        if rule.threat in rules:
            raise _record_error(
                rules_y,
                "rules",
                index,
                rule.threat,
                "threat",
                f"second rule for threat {rule.threat!r}",
            )
        rules[rule.threat] = rule
        rule_where[rule.threat] = (rules_y, index)

    threats = _collect(threats_f.threats, threats_y, "threats", "threat", where)
    controls = _collect(controls_f.controls, controls_y, "controls", "control", where)
    practices = _collect(practices_f.practices, practices_y, "practices", "practice", where)
    categories = {c.id.value: c for c in categories_f.categories}
    sources = [
        threats_y.source,
        controls_y.source,
        categories_y.source,
        practices_y.source,
        rules_y.source,
    ]

    for path in overlays:
        located = load_yaml_file(path)
        if located.data is None:
            raise CatalogError("overlay file is empty", source=str(path))
        overlay = validate_located(Overlay, located)
        _apply_overlay(threats, overlay.threats, located, "threats", where)
        _apply_overlay(controls, overlay.controls, located, "controls", where)
        _apply_overlay(practices, overlay.practices, located, "practices", where)
        for threat_id, ref in overlay.iso27090.items():
            if threat_id not in threats:
                raise CatalogError(
                    f"unknown threat {threat_id!r}",
                    source=str(path),
                    line=located.line_of(("iso27090", threat_id)),
                    field=f"iso27090.{threat_id}",
                )
            threats[threat_id] = threats[threat_id].model_copy(
                update={
                    "iso27090": Iso27090Ref(clause=ref.clause, status=ref.status, label=ref.label)
                }
            )
        for index, rule in enumerate(overlay.rules):
            rules[rule.threat] = rule
            rule_where[rule.threat] = (located, index)
        sources.append(str(path))

    _cross_check(threats, controls, practices, where)
    for threat_id, (located, index) in rule_where.items():
        if threat_id not in threats:
            raise _record_error(
                located,
                "rules",
                index,
                threat_id,
                "threat",
                f"rule names unknown threat {threat_id!r}",
            )
    for threat_id in threats:
        if threat_id not in rules:
            located, key, index = where[threat_id]
            raise _record_error(
                located,
                key,
                index,
                threat_id,
                "id",
                f"threat {threat_id!r} has no applicability rule; add one under "
                "'rules' (bundled: applicability.yaml) so aisec can decide when it applies",
            )
    mitigations: dict[str, list[str]] = {t: [] for t in threats}
    for control in controls.values():
        for effect in control.effects:
            mitigations[effect.threat].append(control.id)
    for threat_id, mitigating in mitigations.items():
        if not mitigating:
            located, key, index = where[threat_id]
            raise _record_error(
                located, key, index, threat_id, "id", f"no control mitigates threat {threat_id!r}"
            )
    return Catalog(
        version=threats_f.version,
        threats=threats,
        controls=controls,
        categories=categories,
        practices=practices,
        rules=rules,
        sources=tuple(sources),
        mitigations={k: tuple(v) for k, v in mitigations.items()},
        effects={(c.id, e.threat): e for c in controls.values() for e in c.effects},
    )


@cache
def default_catalog() -> Catalog:
    """The bundled catalogue, loaded once per process."""
    return build_catalog()
