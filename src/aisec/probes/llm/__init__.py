"""LLM application probes: attack families as data, deterministic detectors, honest rates.

Service entry point: `run_probes(target, families, system, options) -> ProbeRun`.
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
