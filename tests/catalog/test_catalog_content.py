"""Integrity and quality of the bundled catalogue content (threats, controls, practices)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aisec.catalog import Catalog
from aisec.catalog.schema import ClauseStatus, Level, Role, SideEffectAspect

DOCS_IDS = Path(__file__).resolve().parents[2] / "docs" / "catalog-ids.md"

REF_FORMATS = {
    "atlas": re.compile(r"^atlas:AML\.(T\d{4}(\.\d{3})?|M\d{4})$"),
    "owasp-llm": re.compile(r"^owasp-llm:2025:LLM(0[1-9]|10)$"),
    "owasp-ml": re.compile(r"^owasp-ml:2023:ML(0[1-9]|10)$"),
    "owasp-agentic": re.compile(r"^owasp-agentic:2026:ASI(0[1-9]|10)$"),
    "nist-ai-100-2": re.compile(r"^nist-ai-100-2:2025:NISTAML\.\d{2,3}$"),
}
VERIFIERS = re.compile(
    r"^(scan|probe:(prompt-injection|indirect-prompt-injection|system-prompt-extraction|"
    r"sensitive-disclosure|output-injection|excessive-agency|resource-exhaustion|"
    r"harmful-content|package-hallucination|memory-poisoning)|"
    r"mltest:(evasion|membership-inference|extraction|poisoning))$"
)
PRACTICES = {
    "zero-trust",
    "defence-in-depth",
    "ai-governance",
    "secure-development",
    "threat-modelling-red-teaming",
    "continuous-validation-practice",
    "data-provenance-aibom",
    "intent-based-agent-security",
}


def _documented_ids() -> tuple[set[str], set[str]]:
    """Threat and control ids as published in docs/catalog-ids.md (the stable contract)."""
    text = DOCS_IDS.read_text(encoding="utf-8")
    threats = set(re.findall(r"^\| ([a-z][a-z0-9-]+) \| T\d+ \|", text, flags=re.M))
    controls_part = text.split("## Controls", 1)[1].split("## Probe", 1)[0]
    lists = [block.split(":", 1)[1] for block in controls_part.split("\n\n") if ":" in block]
    tokens = (t.strip().rstrip(".") for block in lists for t in block.split(","))
    controls = {t for t in tokens if re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", t)}
    return threats, controls


def test_counts(catalog: Catalog) -> None:
    assert len(catalog.threats) >= 24
    assert len(catalog.controls) >= 65
    assert len(catalog.categories) == 10
    assert set(catalog.practices) == PRACTICES


def test_ids_match_documented_contract(catalog: Catalog) -> None:
    threats, controls = _documented_ids()
    assert len(threats) == 24 and len(controls) == 65
    assert set(catalog.threats) == threats
    assert set(catalog.controls) == controls


def test_every_threat_has_two_controls_and_a_strong_one(catalog: Catalog) -> None:
    for threat_id in catalog.threats:
        mitigating = catalog.controls_for(threat_id)
        assert len(mitigating) >= 2, threat_id
        strongest = max(
            max(e.likelihood, e.impact)
            for c in mitigating
            for e in catalog.controls[c].effects
            if e.threat == threat_id
        )
        assert strongest >= 2, f"{threat_id} has no specific (2-step) control"


def test_every_control_mitigates_something(catalog: Catalog) -> None:
    for control in catalog.controls.values():
        assert control.effects, control.id
        assert all(e.likelihood or e.impact for e in control.effects), control.id


def test_effects_are_discriminating(catalog: Catalog) -> None:
    """Governance controls never claim more than one step; not every control says 1 everywhere."""
    for control in catalog.controls.values():
        if control.kind.value == "governance":
            assert all(e.likelihood <= 1 for e in control.effects), control.id
    sizes = {e.likelihood for c in catalog.controls.values() for e in c.effects}
    assert {0, 1, 2} <= sizes


@pytest.mark.parametrize(
    ("control", "threat", "min_likelihood"),
    [
        ("input-segregation", "indirect-prompt-injection", 2),
        ("encode-model-output", "output-injection", 2),
        ("rate-limit", "model-exfiltration", 2),
        ("agent-message-integrity", "agent-message-manipulation", 2),
        ("model-artifact-scanning", "supply-chain-compromise", 2),
        ("model-signing", "dev-model-poisoning", 2),
        ("data-quality-control", "data-poisoning", 2),
        ("tool-allow-listing", "agent-escape", 2),
    ],
)
def test_specific_controls_hit_their_threat(
    catalog: Catalog, control: str, threat: str, min_likelihood: int
) -> None:
    effects = {e.threat: e for e in catalog.controls[control].effects}
    assert effects[threat].likelihood >= min_likelihood


@pytest.mark.parametrize(
    ("control", "aspect", "level"),
    [
        ("train-adversarial", SideEffectAspect.ACCURACY, Level.MEDIUM),
        ("obfuscate-training-data", SideEffectAspect.ACCURACY, Level.MEDIUM),
        ("rate-limit", SideEffectAspect.AVAILABILITY, Level.MEDIUM),
        ("human-approval", SideEffectAspect.LATENCY, Level.HIGH),
        ("sensitive-output-handling", SideEffectAspect.USABILITY, Level.MEDIUM),
        ("prompt-injection-io-handling", SideEffectAspect.USABILITY, Level.MEDIUM),
    ],
)
def test_known_side_effects(
    catalog: Catalog, control: str, aspect: SideEffectAspect, level: Level
) -> None:
    found = {s.aspect: s.level for s in catalog.controls[control].side_effects}
    assert found[aspect].rank >= level.rank


@pytest.mark.parametrize(
    ("control", "role"),
    [
        ("train-adversarial", Role.VENDOR),
        ("rate-limit", Role.INTEGRATOR),
        ("ai-program", Role.SHARED),
        ("tool-allow-listing", Role.INTEGRATOR),
    ],
)
def test_default_roles(catalog: Catalog, control: str, role: Role) -> None:
    assert catalog.controls[control].role is role


def test_conflicts_are_declared_on_both_sides(catalog: Catalog) -> None:
    for control in catalog.controls.values():
        for conflict in control.conflicts_with:
            other = catalog.controls[conflict.control]
            assert control.id in {k.control for k in other.conflicts_with}, (control.id, other.id)
    pairs = {(c.id, k.control) for c in catalog.controls.values() for k in c.conflicts_with}
    assert ("explainability", "obscure-confidence") in pairs
    assert ("monitor-use", "short-retain") in pairs


def test_refs_use_known_namespaces_and_formats(catalog: Catalog) -> None:
    records = [*catalog.threats.values(), *catalog.controls.values()]
    for record in records:
        for ref in record.refs:
            namespace = ref.split(":", 1)[0]
            assert namespace in REF_FORMATS, (record.id, ref)
            assert REF_FORMATS[namespace].match(ref), (record.id, ref)
    for threat in catalog.threats.values():
        assert any(r.startswith("atlas:AML.T") for r in threat.refs), threat.id
    for control in catalog.controls.values():
        assert all(r.startswith("atlas:AML.M") for r in control.refs), control.id


def test_owasp_tags(catalog: Catalog) -> None:
    tagged = [c for c in catalog.controls.values() if c.owasp_aix]
    # the 54 #TAG controls plus section 4.9 agent sandboxing and isolation
    assert len(tagged) == 55 and catalog.controls["agent-sandboxing"].owasp_aix
    for control in tagged:
        assert control.owasp_aix == "#" + control.id.replace("-", "").upper()
    for threat in catalog.threats.values():
        assert threat.owasp_aix and re.fullmatch(r"[a-z]+", threat.owasp_aix), threat.id
        assert all(re.fullmatch(r"[a-z]+", s) for s in threat.owasp_aix_related)
    assert "runtimemodelleak" in catalog.threats["model-theft"].owasp_aix_related


def test_verified_by_names_real_checks(catalog: Catalog) -> None:
    for control in catalog.controls.values():
        for check in control.verified_by:
            assert VERIFIERS.match(check), (control.id, check)
    used = {check for c in catalog.controls.values() for check in c.verified_by}
    every_check = {
        "scan",
        *(
            f"probe:{f}"
            for f in (
                "prompt-injection",
                "indirect-prompt-injection",
                "system-prompt-extraction",
                "sensitive-disclosure",
                "output-injection",
                "excessive-agency",
                "resource-exhaustion",
                "harmful-content",
                "package-hallucination",
                "memory-poisoning",
            )
        ),
        *(f"mltest:{t}" for t in ("evasion", "membership-inference", "extraction", "poisoning")),
    }
    assert used == every_check  # every probe family can mark some control verified
    assert "scan" in catalog.controls["model-artifact-scanning"].verified_by
    assert "probe:indirect-prompt-injection" in catalog.controls["input-segregation"].verified_by


def test_iso27090_claims_are_conservative(catalog: Catalog) -> None:
    """Only draft clauses 6.9-6.13 and Annex B are cited, never as confirmed."""
    for threat in catalog.threats.values():
        iso = threat.iso27090
        assert iso.status is not ClauseStatus.CONFIRMED, threat.id
        if iso.clause is None:
            assert iso.status is ClauseStatus.UNKNOWN, threat.id
        else:
            assert iso.status is ClauseStatus.INFERRED, threat.id
            assert iso.clause in {"6.9", "6.10", "6.11", "6.12", "6.13", "Annex B"}, threat.id
        assert iso.label, threat.id
    assert catalog.threats["direct-prompt-injection"].iso27090.clause == "6.12"


def _texts(catalog: Catalog) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for t in catalog.threats.values():
        parts = [t.name, t.summary, t.attack, t.consequences, *t.detection, t.iso27090.label or ""]
        out += [(t.id, p) for p in parts]
    for c in catalog.controls.values():
        parts = [
            c.name,
            c.summary,
            *c.evidence,
            *(s.note for s in c.side_effects),
            *(k.note for k in c.conflicts_with),
            *(e.note or "" for e in c.effects),
        ]
        out += [(c.id, p) for p in parts]
    for p in catalog.practices.values():
        out += [(p.id, p.summary)] + [(p.id, q.text) for q in p.questions]
    return out


def test_no_normative_or_certification_wording(catalog: Catalog) -> None:
    for record_id, text in _texts(catalog):
        assert not re.search(r"\bshall\b", text, flags=re.I), record_id
        assert "certif" not in text.lower(), record_id


def test_detection_is_concrete(catalog: Catalog) -> None:
    for threat in catalog.threats.values():
        assert len(threat.detection) >= 3, threat.id
        assert 1 <= threat.base_likelihood <= 5
    likelihood = {t.id: t.base_likelihood for t in catalog.threats.values()}
    assert likelihood["direct-prompt-injection"] > likelihood["model-inversion"]


def test_practice_questions(catalog: Catalog) -> None:
    question_ids: set[str] = set()
    for practice in catalog.practices.values():
        assert 3 <= len(practice.questions) <= 6, practice.id
        assert {"confidentiality", "integrity", "availability"} & set(practice.principles)
        for question in practice.questions:
            assert question.controls, (practice.id, question.id)
            assert question.text.rstrip().endswith("?"), question.id
            assert question.id not in question_ids
            question_ids.add(question.id)
