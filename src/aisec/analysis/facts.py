"""Facts about an AI system that applicability rules are built from.

Each fact is a small pure function of the system and one model. It returns whether it holds and a
sentence naming the components responsible, so a derived threat can say *why* in words a CISO
can check against the system description ("vector store policy-index inserts user-uploads
content into prompts of chat-llm").
"""

from __future__ import annotations

from collections.abc import Callable

from aisec.analysis import facts_agents as ag
from aisec.analysis import facts_composite as comp
from aisec.analysis import facts_deployment as dep
from aisec.analysis.facts_base import FactResult, interfaces_of, stores_of, tools_of
from aisec.catalog.schema import Fact
from aisec.system.schema import (
    AISystem,
    Deployment,
    Exposure,
    Host,
    Model,
    ModelKind,
    ModelSource,
    Party,
    Rendering,
    Returns,
)

__all__ = ["FACTS", "FactCache", "FactResult", "evaluate", "evaluate_all"]


def _names(items: list[str]) -> str:
    return ", ".join(items)


_interfaces = interfaces_of
_stores = stores_of
_tools = tools_of


def _always(system: AISystem, model: Model) -> FactResult:
    return FactResult(True, "it applies to every AI system in operation")


def _genai(system: AISystem, model: Model) -> FactResult:
    if model.kind is ModelKind.GENAI:
        return FactResult(True, f"model {model.id} is generative ({model.task})")
    return FactResult(False, f"model {model.id} is predictive, not generative")


def _predictive(system: AISystem, model: Model) -> FactResult:
    if model.kind is ModelKind.PREDICTIVE:
        return FactResult(True, f"model {model.id} is a predictive model ({model.task})")
    return FactResult(False, f"model {model.id} is generative, not a predictive classifier")


def _accepts_input(system: AISystem, model: Model) -> FactResult:
    interfaces = _interfaces(system, model)
    untrusted_tools = [t.id for t in _tools(system, model) if t.returns_untrusted_content]
    if interfaces:
        desc = _names(
            [f"{i.id} ({i.exposure.value}, used by {', '.join(i.users)})" for i in interfaces]
        )
        return FactResult(True, f"model {model.id} takes input through {desc}")
    if untrusted_tools:
        return FactResult(
            True, f"model {model.id} reads content from tools {_names(untrusted_tools)}"
        )
    stores = [
        s.id for s in _stores(system, model) if any(c.is_untrusted for c in s.content_sources)
    ]
    if stores:
        return FactResult(True, f"model {model.id} receives outside content via {_names(stores)}")
    return FactResult(False, f"no interface, tool or store sends outside input to model {model.id}")


def _untrusted_input(system: AISystem, model: Model) -> FactResult:
    exposed = [
        i.id
        for i in _interfaces(system, model)
        if i.exposure is not Exposure.INTERNAL or not i.authenticated
    ]
    if exposed:
        return FactResult(
            True, f"interface {_names(exposed)} accepts input from outside the organisation"
        )
    return FactResult(False, f"only authenticated internal users reach model {model.id}")


def _internal_only(system: AISystem, model: Model) -> FactResult:
    interfaces = _interfaces(system, model)
    if interfaces and all(i.exposure is Exposure.INTERNAL and i.authenticated for i in interfaces):
        return FactResult(
            True, f"every interface of model {model.id} is internal and authenticated"
        )
    return FactResult(False, f"model {model.id} has interfaces open beyond authenticated insiders")


def _has_augmentation(system: AISystem, model: Model) -> FactResult:
    stores = _stores(system, model)
    if stores:
        names = _names([f"{s.id} ({s.kind.value})" for s in stores])
        return FactResult(True, f"model {model.id} is augmented by {names}")
    return FactResult(
        False, f"model {model.id} uses no augmentation store, system prompt or memory"
    )


def _augmentation_sensitive(system: AISystem, model: Model) -> FactResult:
    stores = [s.id for s in _stores(system, model) if s.sensitivity.is_sensitive]
    if stores:
        return FactResult(True, f"augmentation {_names(stores)} holds sensitive data")
    return FactResult(False, f"no augmentation data of model {model.id} is sensitive")


def _augmentation_writable(system: AISystem, model: Model) -> FactResult:
    stores = [
        s.id
        for s in _stores(system, model)
        if s.writable_at_runtime or any(c.is_untrusted for c in s.content_sources)
    ]
    if stores:
        return FactResult(
            True, f"{_names(stores)} can be written at run time or from outside sources"
        )
    return FactResult(False, f"augmentation of model {model.id} is written by developers only")


def _trains_in_house(system: AISystem, model: Model) -> FactResult:
    if model.trained_by is Party.US:
        return FactResult(True, f"the organisation trains model {model.id}")
    if model.fine_tuned_by is Party.US:
        return FactResult(True, f"the organisation fine-tunes model {model.id}")
    return FactResult(
        False, f"model {model.id} is trained by its supplier, not by the organisation"
    )


def _third_party_model(system: AISystem, model: Model) -> FactResult:
    if model.source is not ModelSource.IN_HOUSE or model.trained_by is Party.SUPPLIER:
        who = model.supplier or "a supplier"
        return FactResult(True, f"model {model.id} comes from {who} ({model.source.value})")
    return FactResult(False, f"model {model.id} is built in-house")


def _third_party_weights(system: AISystem, model: Model) -> FactResult:
    if model.source is ModelSource.OPEN_WEIGHTS:
        return FactResult(
            True, f"the organisation loads third-party weight files for model {model.id}"
        )
    return FactResult(False, f"no third-party weight files are loaded for model {model.id}")


def _self_hosted(system: AISystem, model: Model) -> FactResult:
    if model.hosted_by is Host.US:
        if model.deployment is not Deployment.SERVICE:
            return FactResult(
                True,
                f"the organisation runs model {model.id} on {model.deployment.value} "
                "installations it does not physically control",
            )
        return FactResult(True, f"the organisation runs model {model.id} on its own infrastructure")
    return FactResult(
        False, f"model {model.id} runs at {model.hosted_by.value}, not on own infrastructure"
    )


def _supplier_hosted(system: AISystem, model: Model) -> FactResult:
    if model.hosted_by is not Host.US:
        return FactResult(
            True,
            f"inputs to model {model.id} are processed by {model.supplier or model.hosted_by.value}",
        )
    return FactResult(False, f"model {model.id} is hosted by the organisation")


def _model_is_ip(system: AISystem, model: Model) -> FactResult:
    if model.is_ip:
        return FactResult(True, f"model {model.id} is valuable intellectual property")
    return FactResult(False, f"model {model.id} is not declared as intellectual property")


def _training_sets(system: AISystem, model: Model) -> list:  # type: ignore[type-arg]
    return [d for d in system.datasets if d.id in model.training_data]


def _training_sensitive(system: AISystem, model: Model) -> FactResult:
    sets = [
        f"{d.id} ({d.sensitivity.value})"
        for d in _training_sets(system, model)
        if d.sensitivity.is_sensitive
    ]
    if sets:
        return FactResult(True, f"model {model.id} is trained on sensitive data {_names(sets)}")
    return FactResult(
        False, f"no sensitive training data of the organisation is declared for model {model.id}"
    )


def _untrusted_training(system: AISystem, model: Model) -> FactResult:
    sets = [
        f"{d.id} ({d.provenance.value})"
        for d in _training_sets(system, model)
        if d.provenance.is_untrusted
    ]
    if sets:
        return FactResult(
            True, f"training data {_names(sets)} of model {model.id} comes from outside sources"
        )
    return FactResult(False, f"training data of model {model.id} is produced in-house")


def _input_sensitive(system: AISystem, model: Model) -> FactResult:
    reasons = [f"augmentation {s.id}" for s in _stores(system, model) if s.sensitivity.is_sensitive]
    reasons += [f"tool {t.id}" for t in _tools(system, model) if ag.tool_is_sensitive(t)]
    reasons += [
        f"requests through {i.id} ({i.request_sensitivity.value})"
        for i in _interfaces(system, model)
        if i.request_sensitivity is not None and i.request_sensitivity.is_sensitive
    ]
    if system.business_impact.confidentiality >= 4 and _interfaces(system, model):
        reasons.append(
            f"inputs of a system rated confidentiality {system.business_impact.confidentiality}/5"
        )
    if reasons:
        return FactResult(
            True, f"model {model.id} processes sensitive input from {_names(reasons)}"
        )
    return FactResult(False, f"inputs of model {model.id} are not sensitive")


def _confidence(system: AISystem, model: Model) -> FactResult:
    interfaces = _interfaces(system, model)
    if interfaces:
        scored = [
            i.id
            for i in interfaces
            if dep.effective_returns(i, model) is Returns.SCORES
            or (model.outputs_confidence and dep.effective_returns(i, model) is Returns.FULL_OUTPUT)
        ]
        if scored:
            return FactResult(
                True, f"model {model.id} returns confidence scores through {_names(scored)}"
            )
        return FactResult(False, f"interfaces of model {model.id} return no confidence scores")
    if model.outputs_confidence:
        return FactResult(True, f"model {model.id} returns confidence scores to callers")
    return FactResult(False, f"model {model.id} does not return confidence scores")


def _output_rendered(system: AISystem, model: Model) -> FactResult:
    risky = (Rendering.HTML, Rendering.MARKDOWN, Rendering.EXECUTED, Rendering.STRUCTURED)
    outs = [
        f"{o.id} ({o.rendering.value})"
        for o in system.outputs
        if model.id in o.models and o.rendering in risky
    ]
    if outs:
        return FactResult(
            True, f"output of model {model.id} is rendered or processed downstream: {_names(outs)}"
        )
    return FactResult(
        False, f"output of model {model.id} is only shown as plain text or a decision"
    )


def _drives_decisions(system: AISystem, model: Model) -> FactResult:
    outs = [
        o.id for o in system.outputs if model.id in o.models and o.rendering is Rendering.DECISION
    ]
    if outs:
        return FactResult(
            True, f"output {_names(outs)} of model {model.id} drives automated decisions"
        )
    return FactResult(False, f"model {model.id} does not drive automated decisions")


def _continuous_learning(system: AISystem, model: Model) -> FactResult:
    cl = system.continuous_learning
    if cl.enabled and model.id in cl.models:
        src = ", ".join(s.value for s in cl.sources) or "operational data"
        return FactResult(True, f"model {model.id} keeps learning in operation from {src}")
    return FactResult(False, f"model {model.id} does not learn in operation")


FACTS: dict[Fact, Callable[[AISystem, Model], FactResult]] = {
    Fact.ALWAYS: _always,
    Fact.GENAI: _genai,
    Fact.PREDICTIVE: _predictive,
    Fact.ACCEPTS_INPUT: _accepts_input,
    Fact.UNTRUSTED_INPUT: _untrusted_input,
    Fact.UNTRUSTED_CONTENT_IN_PROMPT: ag.untrusted_content,
    Fact.HAS_AUGMENTATION: _has_augmentation,
    Fact.AUGMENTATION_SENSITIVE: _augmentation_sensitive,
    Fact.AUGMENTATION_WRITABLE: _augmentation_writable,
    Fact.TRAINS_IN_HOUSE: _trains_in_house,
    Fact.THIRD_PARTY_MODEL: _third_party_model,
    Fact.THIRD_PARTY_WEIGHTS: _third_party_weights,
    Fact.SELF_HOSTED: _self_hosted,
    Fact.SUPPLIER_HOSTED: _supplier_hosted,
    Fact.MODEL_IS_IP: _model_is_ip,
    Fact.TRAINING_DATA_SENSITIVE: _training_sensitive,
    Fact.UNTRUSTED_TRAINING_DATA: _untrusted_training,
    Fact.INPUT_DATA_SENSITIVE: _input_sensitive,
    Fact.CONFIDENCE_EXPOSED: _confidence,
    Fact.USES_TOOLS: ag.uses_tools,
    Fact.CONSEQUENTIAL_TOOLS: ag.consequential,
    Fact.UNAPPROVED_ACTIONS: ag.unapproved,
    Fact.TOOLS_REACH_SENSITIVE_DATA: ag.tools_sensitive,
    Fact.LETHAL_TRIFECTA: ag.lethal_trifecta,
    Fact.OUTPUT_RENDERED_OR_EXECUTED: _output_rendered,
    Fact.DRIVES_DECISIONS: _drives_decisions,
    Fact.CONTINUOUS_LEARNING: _continuous_learning,
    Fact.INTERNAL_ONLY_INPUT: _internal_only,
    Fact.ANONYMOUS_INPUT: dep.anonymous_input,
    Fact.INSTRUCTION_FOLLOWING: dep.instruction_following,
    Fact.QUERYABLE: dep.queryable,
    Fact.PHYSICAL_INPUT: dep.physical_input,
    Fact.DECIDES_OR_FILTERS: dep.decides_or_filters,
    Fact.HUMAN_REVIEWS_OUTPUT: dep.human_reviews_output,
    Fact.OUTPUT_SEEN_BY_OTHERS: dep.output_seen_by_others,
    Fact.WEIGHTS_OFF_PREMISES: dep.weights_off_premises,
    Fact.WEIGHTS_DISTRIBUTED: dep.weights_distributed,
    Fact.WEIGHTS_WORTH_STEALING: dep.weights_worth_stealing,
    Fact.RUNS_SERVICE: dep.runs_service,
    Fact.TRAINING_DATA_SHARED: dep.training_data_shared,
    Fact.HOLDS_SECRETS_CONFIG: dep.holds_secrets_config,
    Fact.SOFTWARE_STACK: dep.software_stack,
    Fact.ANONYMOUS_TRIGGER: dep.anonymous_trigger,
    Fact.CROSS_USER_TOOLS: dep.cross_user_tools,
    Fact.AGENT_MESSAGES: dep.agent_messages,
    Fact.RECORDS_SENSITIVE: dep.records_sensitive,
    Fact.QUERIED_WITH_SENSITIVE_CONTEXT: lambda s, m: comp.queried_with_sensitive_context(
        s, m, evaluate
    ),
    Fact.MEMORISED_DATA_EXPOSED: lambda s, m: comp.memorised_data_exposed(s, m, evaluate),
}


def evaluate(fact: Fact, system: AISystem, model: Model) -> FactResult:
    return FACTS[fact](system, model)


FactCache = dict[tuple[Fact, str], FactResult]


def evaluate_all(
    facts: list[Fact], system: AISystem, models: list[Model], cache: FactCache
) -> list[FactResult]:
    """Evaluate facts for one model, or for the system (a fact holds if any model has it)."""
    if len(models) == 1:  # the hot path: model-scoped rules and likelihood factors
        model = models[0]
        single = []
        for fact in facts:
            key = (fact, model.id)
            found = cache.get(key)
            if found is None:
                found = cache[key] = FACTS[fact](system, model)
            single.append(found)
        return single
    out = []
    for fact in facts:
        results = []
        for m in models:
            key = (fact, m.id)
            if key not in cache:
                cache[key] = evaluate(fact, system, m)
            results.append(cache[key])
        held = [r for r in results if r.holds]
        out.append(
            FactResult(True, "; ".join(dict.fromkeys(r.because for r in held)))
            if held
            else results[0]
        )
    return out
