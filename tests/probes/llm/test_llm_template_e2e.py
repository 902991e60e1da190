"""The generic HTTP template target drives the reference server; content goes in `context`."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.probes.finding import Verdict
from aisec.probes.llm import load_families, run_probes
from aisec.probes.llm.runner import ProbeOptions
from aisec.probes.llm.target_http import HttpTemplateTarget, load_template

TEMPLATE = """\
url: {url}/chat/completions
body:
  model: reference
  messages:
    - {{role: system, content: "{{{{system}}}}"}}
    - {{role: user, content: "{{{{prompt}}}}"}}
  context: ["{{{{context}}}}"]
response_path: choices.0.message.content
tool_calls_path: choices.0.message.tool_calls
"""
FAMILIES = [
    f
    for f in load_families()
    if f.id in ("indirect-prompt-injection", "excessive-agency", "output-injection")
]


@pytest.mark.parametrize(
    ("mode", "expected"), [("vulnerable", Verdict.FAIL), ("hardened", Verdict.PASS)]
)
def test_template_target(
    mode: str,
    expected: Verdict,
    vulnerable_url: str,
    hardened_url: str,
    tmp_path: Path,
    system_file: Path,
) -> None:
    from aisec.system import load_system

    url = vulnerable_url if mode == "vulnerable" else hardened_url
    path = tmp_path / "t.yaml"
    path.write_text(TEMPLATE.format(url=url), encoding="utf-8")
    run = run_probes(
        HttpTemplateTarget(load_template(path)),
        FAMILIES,
        load_system(system_file),
        ProbeOptions(seed=2, obfuscations=()),
    )
    assert {f.family.id: f.verdict for f in run.families} == {f.id: expected for f in FAMILIES}
    assert all(f.false_refusal.successes == 0 for f in run.families)
