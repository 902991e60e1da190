"""Facts about where a model runs, what its users can observe and whom its actions reach.

Split from `facts.py` to keep each module small. These facts come from the optional fields of the
system model (deployment place, weights distribution, interface returns, tool scope, output
audience, records...) and each names the components that make it hold, so a rationale reads as
concrete exposure rather than "applies to every AI system".
"""

from __future__ import annotations

from aisec.analysis.facts_base import FactResult, interfaces_of, names, stores_of, tools_of
from aisec.system.schema import (
    AISystem,
    Archetype,
    Audience,
    ContentSource,
    Deployment,
    Exposure,
    InputKind,
    Model,
    ModelKind,
    ModelSource,
    Party,
    Rendering,
    Returns,
    StoreKind,
    ToolEffect,
    ToolScope,
    TriggeredBy,
    WeightsDistribution,
)

_CONSEQUENTIAL = {ToolEffect.WRITE, ToolEffect.SEND, ToolEffect.EXECUTE, ToolEffect.PAY}


def effective_returns(interface: object, model: Model) -> Returns:
    """What a sender observes: declared, else nothing for sensors, else scores or full output."""
    declared: Returns | None = getattr(interface, "returns", None)
    if declared is not None:
        return declared
    if getattr(interface, "input_kind", InputKind.QUERY) is InputKind.SENSOR:
        return Returns.NOTHING
    return Returns.SCORES if model.outputs_confidence else Returns.FULL_OUTPUT


def anonymous_input(system: AISystem, model: Model) -> FactResult:
    open_ = [
        i.id
        for i in interfaces_of(system, model)
        if i.exposure is Exposure.PUBLIC and not i.authenticated
    ]
    if open_:
        return FactResult(True, f"anyone can send input without logging in through {names(open_)}")
    return FactResult(False, f"no anonymous public interface reaches model {model.id}")


def instruction_following(system: AISystem, model: Model) -> FactResult:
    if model.kind is not ModelKind.GENAI:
        return FactResult(False, f"model {model.id} is predictive, not generative")
    if not model.follows_instructions:
        return FactResult(
            False,
            f"model {model.id} is a generative model that completes text without following "
            "instructions",
        )
    return FactResult(True, f"model {model.id} is a generative model that follows instructions")


def queryable(system: AISystem, model: Model) -> FactResult:
    seen = [
        f"{i.id} ({effective_returns(i, model).value})"
        for i in interfaces_of(system, model)
        if effective_returns(i, model).observable
    ]
    if seen:
        limits = [
            f"{i.id} {i.rate_limit_per_day}/day"
            for i in interfaces_of(system, model)
            if i.rate_limit_per_day is not None
        ]
        extra = f" (volume limits: {names(limits)})" if limits else ""
        return FactResult(
            True,
            f"senders can query model {model.id} and observe its answers via {names(seen)}" + extra,
        )
    return FactResult(False, f"no interface lets its users observe the answers of model {model.id}")


def physical_input(system: AISystem, model: Model) -> FactResult:
    sensors = [i.id for i in interfaces_of(system, model) if i.input_kind is InputKind.SENSOR]
    if sensors:
        return FactResult(
            True, f"model {model.id} reads physical-world input through {names(sensors)}"
        )
    return FactResult(False, f"model {model.id} has no camera or sensor input")


def decides_or_filters(system: AISystem, model: Model) -> FactResult:
    if model.kind is ModelKind.PREDICTIVE:
        return FactResult(True, f"model {model.id} is a predictive model ({model.task})")
    outs = [
        o.id for o in system.outputs if model.id in o.models and o.rendering is Rendering.DECISION
    ]
    if outs:
        return FactResult(
            True,
            f"generative model {model.id} is used to classify or filter: its output "
            f"{names(outs)} drives a decision",
        )
    return FactResult(
        False, f"model {model.id} is generative and no decision or filter is built on its output"
    )


def human_reviews_output(system: AISystem, model: Model) -> FactResult:
    outs = [o for o in system.outputs if model.id in o.models]
    if outs and all(o.human_review for o in outs):
        return FactResult(
            True, f"a person reviews every output of model {model.id} before it takes effect"
        )
    return FactResult(False, f"outputs of model {model.id} take effect without human review")


def output_seen_by_others(system: AISystem, model: Model) -> FactResult:
    others = {Audience.OTHER_USERS, Audience.STAFF, Audience.PUBLIC, Audience.DOWNSTREAM_SYSTEM}
    outs = [
        f"{o.id} (seen by {', '.join(a.value for a in o.audience if a in others)})"
        for o in system.outputs
        if model.id in o.models and others & set(o.audience)
    ]
    if outs:
        return FactResult(True, f"output of model {model.id} reaches others: {names(outs)}")
    return FactResult(False, f"output of model {model.id} is seen only by the requester")


def weights_off_premises(system: AISystem, model: Model) -> FactResult:
    if model.deployment is not Deployment.SERVICE:
        return FactResult(
            True,
            f"weights of model {model.id} run on {model.deployment.value} outside the "
            "organisation's data centre",
        )
    if model.weights_distributed is WeightsDistribution.CUSTOMERS:
        return FactResult(True, f"weights of model {model.id} are shipped to customers")
    return FactResult(False, f"weights of model {model.id} stay in a service the operator runs")


def weights_distributed(system: AISystem, model: Model) -> FactResult:
    dist = model.weights_distributed
    if dist is WeightsDistribution.NONE and model.deployment in (
        Deployment.DEVICE,
        Deployment.CUSTOMER_PREMISES,
    ):
        dist = WeightsDistribution.CUSTOMERS
    if dist is WeightsDistribution.PUBLIC:
        return FactResult(
            True, f"weights of model {model.id} are published: anyone can attack them white-box"
        )
    if dist is WeightsDistribution.CUSTOMERS:
        return FactResult(
            True,
            f"weights of model {model.id} are shipped to customers ({model.deployment.value}): "
            "holders can attack them white-box",
        )
    return FactResult(False, f"no one outside the operator holds the weights of model {model.id}")


def weights_worth_stealing(system: AISystem, model: Model) -> FactResult:
    why = []
    if model.is_ip:
        why.append("are valuable intellectual property")
    if model.weights_embed_sensitive_data:
        why.append("embed sensitive data")
    if why:
        return FactResult(True, f"weights of model {model.id} {' and '.join(why)}")
    return FactResult(
        False, f"model {model.id} is neither intellectual property nor holds sensitive data"
    )


def runs_service(system: AISystem, model: Model) -> FactResult:
    ifaces = interfaces_of(system, model)
    tools = tools_of(system, model)
    outs = [o.id for o in system.outputs if model.id in o.models]
    if (
        not ifaces
        and not tools
        and not outs
        and model.weights_distributed is not (WeightsDistribution.NONE)
    ):
        return FactResult(
            False, f"model {model.id} is only published as weights; no service is operated"
        )
    parts = []
    if ifaces:
        parts.append(
            "answers requests through " + names([f"{i.id} ({i.exposure.value})" for i in ifaces])
        )
    if model.kind is ModelKind.GENAI:
        parts.append("every request costs tokens or GPU time")
    if tools:
        parts.append(f"tool calls ({names([t.id for t in tools])}) can loop")
    if model.hosted_by.value == "us":
        parts.append("the organisation operates its serving stack")
    detail = "; ".join(parts) or "the system runs it in operation"
    return FactResult(True, f"model {model.id} runs as a service: {detail}")


def training_data_shared(system: AISystem, model: Model) -> FactResult:
    sets = [d for d in system.datasets if d.id in model.training_data]
    shared = [
        d.id
        for d in sets
        if d.sensitivity.is_sensitive
        and (
            d.shared_with_supplier
            or (model.fine_tuned_by is Party.SUPPLIER and d.purpose.value == "fine-tuning")
        )
    ]
    if shared:
        who = model.supplier or "the supplier"
        return FactResult(True, f"sensitive data {names(shared)} is sent to {who} for training")
    return FactResult(
        False, f"no sensitive training data of model {model.id} leaves for a supplier"
    )


def holds_secrets_config(system: AISystem, model: Model) -> FactResult:
    parts = []
    if model.trained_by is Party.US or model.fine_tuned_by is Party.US:
        parts.append("training code and pipelines")
    prompts = [s.id for s in stores_of(system, model) if s.kind is StoreKind.SYSTEM_PROMPT]
    if prompts:
        parts.append(f"system prompt {names(prompts)}")
    tools = tools_of(system, model)
    if tools:
        parts.append(f"agent and tool configuration ({names([t.id for t in tools])})")
    if model.source is ModelSource.PROVIDER_API:
        parts.append(f"API keys for {model.supplier or 'the model provider'}")
    if parts:
        return FactResult(True, f"the organisation keeps {'; '.join(parts)} for model {model.id}")
    return FactResult(
        False, f"no own code, prompts, keys or agent configuration for model {model.id}"
    )


def software_stack(system: AISystem, model: Model) -> FactResult:
    if model.source is ModelSource.PROVIDER_API:
        what = f"a client SDK and the API of {model.supplier or 'the provider'}"
    elif model.hosted_by.value == "us":
        what = "an ML framework, serving libraries and their dependencies"
    else:
        what = f"libraries and hosting at {model.hosted_by.value}"
    return FactResult(True, f"model {model.id} depends on {what}")


def anonymous_trigger(system: AISystem, model: Model) -> FactResult:
    anonymous_reach = anonymous_input(system, model).holds
    tools = [
        t.id
        for t in tools_of(system, model)
        if _CONSEQUENTIAL & set(t.effects)
        and (
            t.triggered_by is TriggeredBy.ANONYMOUS or (t.triggered_by is None and anonymous_reach)
        )
    ]
    if tools:
        return FactResult(True, f"anonymous users can make model {model.id} call {names(tools)}")
    return FactResult(
        False, f"no consequential tool of model {model.id} is open to anonymous users"
    )


def cross_user_tools(system: AISystem, model: Model) -> FactResult:
    tools = [
        f"{t.id} ({t.scope.value})"
        for t in tools_of(system, model)
        if t.scope in (ToolScope.CROSS_USER, ToolScope.SYSTEM_WIDE)
    ]
    if tools:
        return FactResult(True, f"tools {names(tools)} act beyond the calling user's own records")
    return FactResult(False, f"no tool of model {model.id} is declared to act across users")


def agent_messages(system: AISystem, model: Model) -> FactResult:
    flows = [
        f"{f.source}->{f.target}"
        for f in system.data_flows
        if f.kind.value == "agent-message" and model.id in (f.source, f.target)
    ]
    if flows:
        return FactResult(True, f"model {model.id} exchanges agent messages {names(flows)}")
    return FactResult(False, f"model {model.id} exchanges no messages with other agents")


def records_sensitive(system: AISystem, model: Model) -> FactResult:
    recs = [
        f"{r.id} ({r.kind.value}, {r.sensitivity.value}"
        + (f", kept {r.retention_days} days)" if r.retention_days is not None else ")")
        for r in system.records
        if model.id in r.models and r.sensitivity.is_sensitive
    ]
    if recs:
        return FactResult(True, f"traffic of model {model.id} is recorded in {names(recs)}")
    return FactResult(False, f"no sensitive log or transcript of model {model.id} is kept")


def carried_content(system: AISystem, model: Model) -> list[str]:
    """Third-party content that reaches the model through its own input channels.

    Documents and images sent to a multimodal generative model count too: text hidden in a PDF,
    an image or a scene the camera sees can carry instructions the sender never typed.
    """
    multimodal = Archetype.MULTIMODAL in system.archetypes and model.kind is ModelKind.GENAI
    out = []
    for i in interfaces_of(system, model):
        sources = [c.value for c in i.carries_content if c.is_untrusted]
        if i.input_kind is InputKind.DOCUMENT and ContentSource.DOCUMENTS.value not in sources:
            sources.append(ContentSource.DOCUMENTS.value)
        if multimodal and not sources:
            sources.append("image and document (multimodal)")
        if sources:
            out.append(f"interface {i.id} carries {', '.join(sources)} content")
    return out
