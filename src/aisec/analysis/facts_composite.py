"""Facts that combine other facts, for rules that need two alternatives at once.

A rule is `when` (all) plus one `any_of` (at least one); a threat such as disclosure of memorised
data needs "queried with sensitive context" OR "weights in others' hands with sensitive training
data", each itself a conjunction. These composites keep the rule language small and still name
every component in their sentence. `evaluate` is passed in to avoid an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable

from aisec.analysis.facts_base import FactResult
from aisec.catalog.schema import Fact
from aisec.system.schema import AISystem, Model

Evaluate = Callable[[Fact, AISystem, Model], FactResult]

_SENSITIVE_CONTEXT = (
    Fact.TRAINING_DATA_SENSITIVE,
    Fact.AUGMENTATION_SENSITIVE,
    Fact.TOOLS_REACH_SENSITIVE_DATA,
)


def queried_with_sensitive_context(
    system: AISystem, model: Model, evaluate: Evaluate
) -> FactResult:
    """Someone can query the model, and what it knows or reaches is sensitive."""
    accepts = evaluate(Fact.ACCEPTS_INPUT, system, model)
    sensitive = [r for r in (evaluate(f, system, model) for f in _SENSITIVE_CONTEXT) if r.holds]
    if accepts.holds and sensitive:
        return FactResult(True, f"{accepts.because}; {'; '.join(r.because for r in sensitive)}")
    if not accepts.holds:
        return accepts
    return FactResult(False, f"model {model.id} has no sensitive data to disclose in answers")


def memorised_data_exposed(system: AISystem, model: Model, evaluate: Evaluate) -> FactResult:
    """Weights in others' hands that hold sensitive data: extraction needs no interface."""
    shared = evaluate(Fact.WEIGHTS_DISTRIBUTED, system, model)
    trained = evaluate(Fact.TRAINING_DATA_SENSITIVE, system, model)
    if shared.holds and (trained.holds or model.weights_embed_sensitive_data):
        why = (
            trained.because
            if trained.holds
            else f"weights of model {model.id} embed sensitive data"
        )
        return FactResult(True, f"{shared.because}; {why}")
    return FactResult(
        False, f"no one outside the operator holds weights of model {model.id} with sensitive data"
    )
