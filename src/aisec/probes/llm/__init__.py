"""LLM application probes: attack families as data, deterministic detectors, honest rates.

Service entry point: `run_probes(target, families, system, options) -> ProbeRun` (or
`arun_probes` inside an event loop); `evidence.to_evidence(run)` gives the `EvidenceReport`.

    url, stop = start_reference_target("vulnerable")      # or "guarded" / "hardened"
    target = build_target(TargetSettings(url=url, api_key_env=None))
    run = run_probes(target, load_families(), load_system(path), ProbeOptions(seed=1))

CLI: `aisec probe --target URL/v1 --system examples/email-agent.yaml --json ev.json
--sarif ev.sarif --attempts attempts.jsonl`, `aisec probe serve-target --mode hardened`,
`aisec probe --detector-eval`. Layout: targets (`target_*.py`, `transport.py`), families
(`families.py` + `families/*.yaml`), `plan.py` (seeded prompts and planted data),
`detectors/` (with labelled synthetic sets and hand-labelled real-output sets in `realsets/`),
`declared.py` + `leaks.py` (the app's own secrets; leak checks on every reply), `scoring.py`
(verdicts incl. `inconclusive`, judge rule), `pacing.py` (adaptive pacing, deadlines, run
budget), `runner.py`, `adaptive.py` (attacker-model loop), `replies.py` (reply schemas),
`evidence.py`, `sarif.py`, `judge.py` (optional, budgeted, per-family rubrics) and
`reference/` (the demo target, incl. the `own-secret` mode).
"""

from aisec.probes.llm.factory import TargetSettings, build_target
from aisec.probes.llm.families import Family, load_families
from aisec.probes.llm.interface import ChatRequest, ChatResponse, ContentChannel, ToolCall
from aisec.probes.llm.reference import Mode, start_reference_target
from aisec.probes.llm.results import ProbeRun
from aisec.probes.llm.runner import ProbeOptions, arun_probes, run_probes
from aisec.probes.llm.target_callable import CallableTarget

__all__ = [
    "CallableTarget",
    "ChatRequest",
    "ChatResponse",
    "ContentChannel",
    "Family",
    "Mode",
    "ProbeOptions",
    "ProbeRun",
    "TargetSettings",
    "arun_probes",
    "ToolCall",
    "build_target",
    "load_families",
    "run_probes",
    "start_reference_target",
]
