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
from typing import NamedTuple, Protocol, TypeVar

from aisec.catalog import trusted
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
from aisec.common.yamlio import load_yaml_file, load_yaml_text, validate_located

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


class Located(Protocol):
    """Where records came from: a file name and the line of a path in it (error messages)."""

    @property
    def source(self) -> str: ...

    def line_of(self, path: Sequence[str | int]) -> int | None: ...


class _BundledLines:
    """Lines of a bundled file whose models came from the cache: parsed only for an error."""

    def __init__(self, name: str, text: str) -> None:
        self.source = f"aisec/catalog/data/{name}"
        self._text = text
        self._lines: Located | None = None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        if self._lines is None:
            self._lines = load_yaml_text(self._text, self.source)
        return self._lines.line_of(path)


class _Bundled(NamedTuple):
    threats: ThreatsFile
    controls: ControlsFile
    categories: CategoriesFile
    practices: PracticesFile
    rules: ApplicabilityFile


_BUNDLED_FILES = {  # file name -> its model, in `_Bundled` order
    "threats.yaml": ThreatsFile,
    "controls.yaml": ControlsFile,
    "categories.yaml": CategoriesFile,
    "practices.yaml": PracticesFile,
    "applicability.yaml": ApplicabilityFile,
}


def _bundled_text(name: str) -> tuple[str, str]:
    ref = resources.files(DATA_PACKAGE).joinpath(name)
    return ref.read_text(encoding="utf-8"), f"aisec/catalog/data/{name}"


def _load_bundled(trust_cache: bool) -> tuple[_Bundled, dict[str, Located], str | None]:
    """The bundled files' models, where they came from, and their cache key.

    With `trust_cache`, models validated by an earlier run of this very data and schema (same
    SHA-256 key) are rebuilt without validation; otherwise every file is parsed and validated."""
    texts = {name: _bundled_text(name)[0] for name in _BUNDLED_FILES}
    key = trusted.digest(texts)
    if trust_cache and key is not None:
        cached = trusted.read(key)
        if cached is not None and list(cached) == list(_BUNDLED_FILES):
            models = [cached[name] for name in _BUNDLED_FILES]
            if all(type(m) is cls for m, cls in zip(models, _BUNDLED_FILES.values(), strict=True)):
                lines: dict[str, Located] = {n: _BundledLines(n, t) for n, t in texts.items()}
                return _Bundled(*models), lines, None  # type: ignore[arg-type]
    located = {
        name: load_yaml_text(text, f"aisec/catalog/data/{name}") for name, text in texts.items()
    }
    bundled = _Bundled(
        validate_located(ThreatsFile, located["threats.yaml"]),
        validate_located(ControlsFile, located["controls.yaml"]),
        validate_located(CategoriesFile, located["categories.yaml"]),
        validate_located(PracticesFile, located["practices.yaml"]),
        validate_located(ApplicabilityFile, located["applicability.yaml"]),
    )
    return bundled, dict(located), key


def _record_error(
    located: Located, key: str, index: int, record_id: str, field_name: str, message: str
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
    located: Located,
    key: str,
    kind: str,
    where: dict[str, tuple[Located, str, int]],
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
    located: Located,
    key: str,
    where: dict[str, tuple[Located, str, int]],
) -> None:
    """Overlay records replace bundled ones with the same id: that is how a user adapts ours."""
    for index, item in enumerate(items):
        target[item.id] = item
        where[item.id] = (located, key, index)


def _cross_check(
    threats: dict[str, Threat],
    controls: dict[str, Control],
    practices: dict[str, Practice],
    where: dict[str, tuple[Located, str, int]],
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


def build_catalog(overlays: Iterable[Path] = (), *, trust_cache: bool = True) -> Catalog:
    """Load bundled data, apply overlays in order, validate every cross-reference.

    Overlays are always validated. The bundled files are too, unless `trust_cache` and this exact
    data was validated before (`aisec.catalog.trusted`); `trust_cache=False` re-validates them."""
    overlays = list(overlays)
    where: dict[str, tuple[Located, str, int]] = {}
    bundled, located_files, cache_key = _load_bundled(trust_cache)
    threats_f, controls_f, categories_f, practices_f, rules_f = bundled
    threats_y = located_files["threats.yaml"]
    controls_y = located_files["controls.yaml"]
    categories_y = located_files["categories.yaml"]
    practices_y = located_files["practices.yaml"]
    rules_y = located_files["applicability.yaml"]
    rules: dict[str, ApplicabilityRule] = {}
    rule_where: dict[str, tuple[Located, int]] = {}
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
    for threat_id, (rule_file, index) in rule_where.items():
        if threat_id not in threats:
            raise _record_error(
                rule_file,
                "rules",
                index,
                threat_id,
                "threat",
                f"rule names unknown threat {threat_id!r}",
            )
    for threat_id in threats:
        if threat_id not in rules:
            record_file, key, index = where[threat_id]
            raise _record_error(
                record_file,
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
            record_file, key, index = where[threat_id]
            raise _record_error(
                record_file,
                key,
                index,
                threat_id,
                "id",
                f"no control mitigates threat {threat_id!r}",
            )
    if cache_key is not None and not overlays:  # the bundled data alone passed every check
        trusted.write(cache_key, dict(zip(_BUNDLED_FILES, bundled, strict=True)))
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
