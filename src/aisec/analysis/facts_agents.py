"""Facts about what reaches a model's prompt and what its tools can do.

Split from `facts.py`: untrusted content in the prompt, tool use, consequential and unapproved
actions, and the lethal trifecta (untrusted content + sensitive data + an outbound channel).
"""

from __future__ import annotations

from aisec.analysis import facts_deployment as dep
from aisec.analysis.facts_base import FactResult, names, stores_of, tools_of
from aisec.system.schema import AISystem, Model, Rendering, Tool, ToolEffect


def untrusted_content(system: AISystem, model: Model) -> FactResult:
    parts = []
    for store in stores_of(system, model):
        sources = [c.value for c in store.content_sources if c.is_untrusted]
        if sources:
            parts.append(f"{store.id} ({store.kind.value}) inserts {', '.join(sources)} content")
    for tool in tools_of(system, model):
        if tool.returns_untrusted_content:
            parts.append(f"tool {tool.id} returns untrusted content")
    parts += dep.carried_content(system, model)
    if parts:
        return FactResult(True, f"{'; '.join(parts)} into prompts of model {model.id}")
    return FactResult(False, f"no untrusted content is inserted into prompts of model {model.id}")


def uses_tools(system: AISystem, model: Model) -> FactResult:
    tools = [t.id for t in tools_of(system, model)]
    if tools:
        return FactResult(True, f"model {model.id} can invoke tools {names(tools)}")
    return FactResult(False, f"model {model.id} cannot invoke tools or actions")


CONSEQUENTIAL = {ToolEffect.WRITE, ToolEffect.SEND, ToolEffect.EXECUTE, ToolEffect.PAY}


def consequential(system: AISystem, model: Model) -> FactResult:
    tools = [
        f"{t.id} ({', '.join(e.value for e in t.effects)})"
        for t in tools_of(system, model)
        if CONSEQUENTIAL & set(t.effects)
    ]
    if tools:
        return FactResult(True, f"tools {names(tools)} change state or send data")
    return FactResult(False, f"model {model.id} has no tool that writes, sends, executes or pays")


def unapproved(system: AISystem, model: Model) -> FactResult:
    tools = [
        t.id
        for t in tools_of(system, model)
        if CONSEQUENTIAL & set(t.effects) and (not t.requires_approval or t.approval_threshold)
    ]
    if tools:
        below = [
            f"{t.id} below {t.approval_threshold}"
            for t in tools_of(system, model)
            if t.id in tools and t.requires_approval and t.approval_threshold
        ]
        extra = f" (approval only above a threshold: {names(below)})" if below else ""
        return FactResult(True, f"tools {names(tools)} act without human approval{extra}")
    return FactResult(False, f"every consequential tool of model {model.id} needs human approval")


def tool_is_sensitive(tool: Tool) -> bool:
    return tool.reaches_sensitive_data or bool(tool.sensitivity and tool.sensitivity.is_sensitive)


def tools_sensitive(system: AISystem, model: Model) -> FactResult:
    tools = [t.id for t in tools_of(system, model) if tool_is_sensitive(t)]
    if tools:
        return FactResult(True, f"tools {names(tools)} reach sensitive data")
    return FactResult(False, f"no tool of model {model.id} reaches sensitive data")


def exfil_channels(system: AISystem, model: Model) -> list[str]:
    channels = [f"tool {t.id}" for t in tools_of(system, model) if ToolEffect.SEND in t.effects]
    channels += [
        f"output {o.id} rendered as {o.rendering.value}"
        for o in system.outputs
        if model.id in o.models and o.rendering in (Rendering.HTML, Rendering.MARKDOWN)
    ]
    return channels


def lethal_trifecta(system: AISystem, model: Model) -> FactResult:
    untrusted = untrusted_content(system, model)
    sensitive = [s.id for s in stores_of(system, model) if s.sensitivity.is_sensitive]
    sensitive += [t.id for t in tools_of(system, model) if tool_is_sensitive(t)]
    channels = exfil_channels(system, model)
    if untrusted.holds and sensitive and channels:
        return FactResult(
            True,
            (
                f"lethal trifecta: untrusted content reaches model {model.id}, which can read sensitive "
                f"data ({names(sensitive)}) and send data out ({names(channels)})"
            ),
        )
    missing = [
        name
        for name, ok in (
            ("untrusted content", untrusted.holds),
            ("access to sensitive data", bool(sensitive)),
            ("an outbound channel", bool(channels)),
        )
        if not ok
    ]
    return FactResult(False, f"model {model.id} lacks {' and '.join(missing)} (no lethal trifecta)")
