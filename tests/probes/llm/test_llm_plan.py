from __future__ import annotations

from pathlib import Path

from aisec.probes.llm.families import load_families
from aisec.probes.llm.obfuscation import Obfuscation
from aisec.probes.llm.plan import (
    AppContext,
    AttemptKind,
    PlanOptions,
    build_plan,
    context_from_system,
)
from aisec.system import load_system

FAMILIES = load_families()


def _fingerprint(plan) -> list[tuple]:
    return [
        (a.family, a.prompt_id, a.obfuscation, a.tool, a.request.user, a.request.content)
        for a in plan.attempts
    ]


def test_same_seed_same_prompts_same_order(system_file: Path) -> None:
    app = context_from_system(load_system(system_file))
    one = build_plan(FAMILIES, app, PlanOptions(seed=7))
    two = build_plan(FAMILIES, app, PlanOptions(seed=7))
    other = build_plan(FAMILIES, app, PlanOptions(seed=8))
    assert _fingerprint(one) == _fingerprint(two)
    assert _fingerprint(one) != _fingerprint(other)
    assert [a.index for a in one.attempts] == list(range(len(one.attempts)))


def test_canaries_differ_per_attempt() -> None:
    plan = build_plan(FAMILIES, AppContext(), PlanOptions(seed=1))
    tokens = [a.planted.injection.token for a in plan.attempts]
    assert len(set(tokens)) == len(tokens)


def test_tools_from_system_model_drive_excessive_agency(system_file: Path) -> None:
    app = context_from_system(load_system(system_file))
    assert app.tooling.allowed == ("read-mail",)
    assert set(app.tooling.beyond_task) == {"send-mail", "pay-invoice"}
    plan = build_plan(FAMILIES, app, PlanOptions(seed=1))
    attacks = [
        a for a in plan.attempts if a.family == "excessive-agency" and a.kind is AttemptKind.ATTACK
    ]
    # per-tool attacks target each tool beyond the task; the authorisation attacks use the
    # allowed tool on another customer's account (no per-tool expansion)
    assert {a.tool for a in attacks} == {"send-mail", "pay-invoice", None}
    assert {a.prompt_id for a in attacks if a.tool is None} == {
        "other-users-records",
        "support-pretext",
    }
    assert all(
        {t.name for t in a.request.tools} == {"read-mail", "send-mail", "pay-invoice"}
        for a in attacks
    )
    assert "Allowed tools: read-mail." in attacks[0].request.system


def test_without_tools_excessive_agency_is_skipped_with_reason() -> None:
    plan = build_plan(FAMILIES, AppContext(), PlanOptions(seed=1))
    assert dict(plan.skipped)["excessive-agency"].startswith("no tools declared")
    assert not [a for a in plan.attempts if a.family == "excessive-agency"]


def test_obfuscation_override_and_sampling() -> None:
    plain = build_plan(FAMILIES, AppContext(), PlanOptions(seed=1, obfuscations=()))
    assert {a.obfuscation for a in plain.attempts} == {Obfuscation.NONE}
    sampled = build_plan(FAMILIES, AppContext(), PlanOptions(seed=1, max_attacks_per_family=3))
    per_family: dict[str, int] = {}
    for a in sampled.attempts:
        if a.kind is AttemptKind.ATTACK:
            per_family[a.family] = per_family.get(a.family, 0) + 1
    assert max(per_family.values()) == 3


def test_repeats_multiply_attempts() -> None:
    one = build_plan(FAMILIES, AppContext(), PlanOptions(seed=1, obfuscations=()))
    two = build_plan(FAMILIES, AppContext(), PlanOptions(seed=1, obfuscations=(), repeats=2))
    assert len(two.attempts) == 2 * len(one.attempts)
