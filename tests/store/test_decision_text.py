"""Recording a decision edits only that decision in the assessment text."""

from __future__ import annotations

import yaml

from aisec.store.decision_text import plain_text, with_decision

ENTRY = {"threat": "evasion", "component": "m", "treatment": "mitigate", "decided_by": "Ann"}
TEXT = """\
# our assessment; comments matter
system: s1
risk: {levels: 5, acceptance: 8}   # agreed with the board
controls:
  rate-limit: {status: implemented, owner: "Platform"}
decisions:
  - threat: evasion   # first attempt
    component: m
    treatment: accept
    decided_by: Bob
  - threat: model-theft
    treatment: transfer
    decided_by: 'Bob'
"""


def test_replaces_the_same_risk_in_place_and_keeps_everything_else() -> None:
    out = with_decision(TEXT, "s1", ENTRY)
    assert out.splitlines()[:6] == TEXT.splitlines()[:6]
    assert out.endswith("  - threat: model-theft\n    treatment: transfer\n    decided_by: 'Bob'\n")
    assert "treatment: accept" not in out and "decided_by: Bob\n" not in out
    assert yaml.safe_load(out) == yaml.safe_load(plain_text(TEXT, "s1", ENTRY))
    assert yaml.safe_load(out)["decisions"][0] == ENTRY


def test_adds_decisions_to_a_file_without_any_or_with_none_at_all() -> None:
    bare = "# notes\nsystem: s1\ndecisions: []\n"
    out = with_decision(bare, "s1", ENTRY)
    assert out.startswith("# notes\nsystem: s1\n")
    assert yaml.safe_load(out) == {"system": "s1", "decisions": [ENTRY]}
    none = with_decision(None, "s1", ENTRY)
    assert yaml.safe_load(none) == {"system": "s1", "decisions": [ENTRY]}
    missing = with_decision("system: s1  # keep\n", "s1", ENTRY)
    assert missing.startswith("system: s1  # keep\n")
    assert yaml.safe_load(missing)["decisions"] == [ENTRY]
