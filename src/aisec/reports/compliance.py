"""Compliance sections of a report: framework coverage and EU AI Act obligations for one system.

The JSON report carries coverage for every bundled framework; the HTML/Markdown report shows the
frameworks that fit the system (LLM lists for generative systems, the ML list for predictive ones,
the agentic list when tools are present) so the document stays readable. MITRE ATLAS, with ~200
techniques, is in the JSON only.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aisec.analysis.coverage import (
    FrameworkCoverage,
    coverage_data_many,
    states_from_assessment,
    states_from_views,
)
from aisec.analysis.model import ControlView
from aisec.analysis.obligations import ObligationsResult, obligations, scope_ai_act_coverage
from aisec.catalog import Catalog
from aisec.catalog.crosswalk import default_crosswalks
from aisec.catalog.frameworks import default_frameworks
from aisec.system.assessment import Assessment
from aisec.system.schema import AISystem, ModelKind

ALWAYS_SHOWN = ("iso42001", "iso27001", "eu-ai-act", "nist-ai-rmf", "uk-ai-cop")


def shown_frameworks(system: AISystem) -> list[str]:
    """Frameworks worth a table in this system's human-readable report."""
    genai = any(m.kind is ModelKind.GENAI for m in system.models)
    predictive = any(m.kind is ModelKind.PREDICTIVE for m in system.models)
    keys = list(ALWAYS_SHOWN)
    if genai:
        keys += ["nist-ai-600-1", "anssi-genai", "owasp-llm"]
    if predictive:
        keys.append("owasp-ml")
    if system.tools:
        keys.append("owasp-agentic")
    return keys


def compliance_sections(
    catalog: Catalog,
    system: AISystem,
    assessment: Assessment | None,
    applicable_threats: Collection[str],
    views: Collection[ControlView] | None = None,
    *,
    models: bool = True,
) -> tuple[tuple[FrameworkCoverage, ...], ObligationsResult, dict[str, Any]]:
    """With `views` (the analysis' effective states) coverage follows the evidence; without,
    the assessment's claims are used as written. `models=False` returns no shown frameworks
    (empty tuple), only the JSON extras: for callers that store them and render nothing."""
    frameworks = default_frameworks()
    crosswalks = default_crosswalks()
    if assessment is None:
        states = None
    elif views is not None:
        states = states_from_views(views)
    else:
        states = states_from_assessment(assessment)
    data = coverage_data_many(
        catalog,
        crosswalks,
        [f for key, f in frameworks.items() if key in crosswalks],
        states,
        applicable_threats,
    )
    duties = obligations(system, catalog, crosswalks, states)
    keys = [k for k in shown_frameworks(system) if k in data] if models else []
    # Models only for the frameworks shown (and the AI Act, scoped by the obligations); the
    # rest (ATLAS above all) is needed only as the JSON the report and the server store.
    every = {k: FrameworkCoverage.model_validate(data[k]) for k in {*keys, "eu-ai-act"} & set(data)}
    if "eu-ai-act" in every:
        every["eu-ai-act"] = scope_ai_act_coverage(every["eu-ai-act"], duties)
        data["eu-ai-act"] = every["eu-ai-act"].model_dump(mode="json")
    shown = tuple(every[k] for k in keys)
    extras = {
        "crosswalks": list(data.values()),
        "ai_act_obligations": duties.model_dump(mode="json"),
    }
    return shown, duties, extras
