"""What each catalogue overlay changed relative to the bundled catalogue, and whether it weakens it.

An overlay may replace any bundled record, so one file can turn a critical residual risk into a
low one. That is legitimate when an organisation knows its controls better than we do, but a
reader of the report must see it: every overlay is named with its SHA-256 and its changes, and
changes that make the assessment more favourable than the bundled catalogue ("weakening": a
bundled control claiming a larger effect or an effect on a new threat, a bundled threat made less
likely or less harmful, a bundled applicability rule replaced) are refused unless the user passes
`--allow-weakening`, and are then flagged in every report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aisec.catalog.loader import Catalog, default_catalog
from aisec.catalog.schema import Control, Overlay, Threat
from aisec.common.errors import InputError
from aisec.common.inputs import read_input_bytes
from aisec.common.yamlio import MAX_YAML_BYTES, load_yaml_text, validate_located

_IMPACT_FIELDS = (
    "confidentiality",
    "integrity",
    "availability",
    "transparency",
    "accountability",
    "explainability",
    "individuals",
)


@dataclass(frozen=True)
class OverlayChange:
    """One record an overlay adds or replaces; `weakens` holds why it lowers risk, if it does."""

    action: str  # "added" | "replaced"
    kind: str  # threat | control | practice | rule | iso27090
    record_id: str
    details: tuple[str, ...] = ()
    weakens: tuple[str, ...] = ()

    def describe(self) -> str:
        text = f"{self.action} {self.kind} {self.record_id}"
        return f"{text} ({'; '.join(self.details)})" if self.details else text


@dataclass(frozen=True)
class OverlayDiff:
    """One overlay file: where it is, its SHA-256, and what it changed."""

    path: str
    sha256: str
    changes: tuple[OverlayChange, ...] = field(default_factory=tuple)

    @property
    def weakening(self) -> list[str]:
        return [w for c in self.changes for w in c.weakens]

    def note(self) -> str:
        """One report line: name, hash, changes, and a loud flag when it weakens."""
        changed = "; ".join(c.describe() for c in self.changes) or "no change to bundled records"
        text = f"Catalogue overlay {self.path} (SHA-256 {self.sha256}): {changed}."
        if self.weakening:
            text += " WEAKENS the bundled catalogue: " + "; ".join(self.weakening) + "."
        return text


def _control_changes(new: Control, old: Control) -> tuple[list[str], list[str]]:
    details: list[str] = []
    weakens: list[str] = []
    before = {e.threat: e for e in old.effects}
    after = {e.threat: e for e in new.effects}
    for threat_id, effect in after.items():
        was = before.get(threat_id)
        if was is None:
            details.append(f"new effect on {threat_id}")
            weakens.append(f"control {new.id} now lowers threat {threat_id} (no bundled effect)")
            continue
        if (effect.likelihood, effect.impact) != (was.likelihood, was.impact):
            details.append(
                f"effect on {threat_id}: likelihood -{was.likelihood} -> -{effect.likelihood}, "
                f"impact -{was.impact} -> -{effect.impact}"
            )
            if effect.likelihood > was.likelihood or effect.impact > was.impact:
                weakens.append(
                    f"control {new.id} claims a larger effect on {threat_id} than bundled"
                )
    for threat_id in before.keys() - after.keys():
        details.append(f"effect on {threat_id} removed")
    other = [
        name
        for name in sorted(Control.model_fields)
        if name != "effects" and getattr(new, name) != getattr(old, name)
    ]
    if other:
        details.append("changed " + ", ".join(other))
    return details, weakens


def _threat_changes(new: Threat, old: Threat) -> tuple[list[str], list[str]]:
    details: list[str] = []
    weakens: list[str] = []
    if new.base_likelihood != old.base_likelihood:
        details.append(f"base likelihood {old.base_likelihood} -> {new.base_likelihood}")
        if new.base_likelihood < old.base_likelihood:
            weakens.append(f"threat {new.id} made less likely than bundled")
    for name in _IMPACT_FIELDS:
        was, now = getattr(old.impact, name), getattr(new.impact, name)
        if was != now:
            details.append(f"impact {name} {was.value} -> {now.value}")
            if now.rank < was.rank:
                weakens.append(f"threat {new.id} made less harmful ({name}) than bundled")
    other = [
        name
        for name in sorted(Threat.model_fields)
        if name not in ("base_likelihood", "impact") and getattr(new, name) != getattr(old, name)
    ]
    if other:
        details.append("changed " + ", ".join(other))
    return details, weakens


def diff_overlay(path: Path, bundled: Catalog | None = None) -> OverlayDiff:
    """Compare one overlay file with the bundled catalogue (not with earlier overlays)."""
    base = bundled or default_catalog()
    raw = read_input_bytes(path, max_bytes=MAX_YAML_BYTES, what="overlay")
    located = load_yaml_text(raw.decode("utf-8-sig", errors="replace"), str(path))
    overlay = validate_located(Overlay, located) if located.data is not None else Overlay()
    changes: list[OverlayChange] = []
    for threat in overlay.threats:
        old_threat = base.threats.get(threat.id)
        if old_threat is None:
            changes.append(OverlayChange("added", "threat", threat.id))
        else:
            details, weakens = _threat_changes(threat, old_threat)
            changes.append(
                OverlayChange("replaced", "threat", threat.id, tuple(details), tuple(weakens))
            )
    for control in overlay.controls:
        old_control = base.controls.get(control.id)
        if old_control is None:
            changes.append(OverlayChange("added", "control", control.id))
        else:
            details, weakens = _control_changes(control, old_control)
            changes.append(
                OverlayChange("replaced", "control", control.id, tuple(details), tuple(weakens))
            )
    for practice in overlay.practices:
        action = "replaced" if practice.id in base.practices else "added"
        changes.append(OverlayChange(action, "practice", practice.id))
    for rule in overlay.rules:
        if rule.threat in base.rules:
            if rule != base.rules[rule.threat]:
                why = f"applicability rule of {rule.threat} replaced (it may no longer apply)"
                changes.append(OverlayChange("replaced", "rule", rule.threat, (), (why,)))
        else:
            changes.append(OverlayChange("added", "rule", rule.threat))
    for threat_id in overlay.iso27090:
        changes.append(OverlayChange("replaced", "iso27090", threat_id, ("clause reference",)))
    return OverlayDiff(str(path), hashlib.sha256(raw).hexdigest(), tuple(changes))


def diff_overlays(paths: Sequence[Path]) -> list[OverlayDiff]:
    bundled = default_catalog()
    return [diff_overlay(p, bundled) for p in paths]


def require_no_weakening(diffs: Sequence[OverlayDiff], *, allow: bool) -> None:
    """Refuse overlays that weaken bundled records unless the user said so explicitly."""
    if allow:
        return
    for diff in diffs:
        if diff.weakening:
            raise InputError(
                "overlay weakens the bundled catalogue: " + "; ".join(diff.weakening),
                source=diff.path,
                hint="if this is intended, pass --allow-weakening; the report will flag it",
            )
