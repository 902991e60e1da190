"""Which EU AI Act obligations follow from the facts a user gives about an AI system.

Security work is one part of what the AI Act asks. From `system.regulatory` (role, Annex III
area, safety component, GPAI, public body, interaction with people, synthetic content) this pure
function derives the articles that apply, says why in plain words, and lists the aisec controls
whose evidence helps (from the AI Act crosswalk), with their status when an assessment is given.
Articles considered but not triggered are listed with the reason. This is guidance, not legal
advice: a fact aisec does not hold (e.g. whether an essential-services use is credit scoring) is
reported as "to confirm", never silently assumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from aisec.analysis.coverage import ControlStates, FrameworkCoverage, ItemStatus
from aisec.catalog import Catalog
from aisec.catalog.crosswalk import Crosswalk, Relationship, SourceKind
from aisec.catalog.frameworks import Framework, default_frameworks
from aisec.common.errors import InputError
from aisec.system.assessment import ControlStatus
from aisec.system.schema import AiActRole, AISystem

DISCLAIMER = (
    "Guidance, not legal advice: derived from the facts declared in the system description. "
    "Confirm the classification and obligations with your legal counsel."
)
NS = "eu-ai-act:2024:"
ISO42005 = "iso42005:2025"  # AI system impact assessment standard, cited by ID only


class AnnexIIIArea(StrEnum):
    """Annex III high-risk areas (points 1-8), as closed keys for `regulatory.annex_iii_area`."""

    BIOMETRICS = "biometrics"
    CRITICAL_INFRASTRUCTURE = "critical-infrastructure"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    ESSENTIAL_SERVICES = "essential-services"
    LAW_ENFORCEMENT = "law-enforcement"
    MIGRATION = "migration"
    JUSTICE_DEMOCRACY = "justice-democracy"


class Applicability(StrEnum):
    APPLIES = "applies"
    TO_CONFIRM = "to-confirm"  # depends on a fact aisec does not record


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HelpingControl(_Frozen):
    control: str
    name: str
    relationship: Relationship
    why: str
    status: ControlStatus | None = None
    evidence: list[str] = []


class Obligation(_Frozen):
    article: str
    title: str
    addressee: str
    applicability: Applicability
    why: list[str]
    related: list[str] = []
    controls: list[HelpingControl] = []


class NotTriggered(_Frozen):
    article: str
    title: str
    reason: str


class ObligationsResult(_Frozen):
    system: str
    role: AiActRole
    high_risk: bool
    high_risk_basis: list[str]
    obligations: list[Obligation]
    not_triggered: list[NotTriggered]
    impact_notes: list[str]
    disclaimer: str = DISCLAIMER


# Articles whose helping controls include links to their paragraphs.
_PARAGRAPHS = {
    "Art.15": ("Art.15", "Art.15(4)"),
    "Art.50": ("Art.50", "Art.50(1)", "Art.50(2)"),
    "Art.55": ("Art.55", "Art.55(1)(d)"),
}
_RELATED: dict[str, tuple[str, ...]] = {
    "Art.9": ("iso42001:2023:6.1.2", "iso42001:2023:8.2", "nist-ai-rmf:1.0:MAP-5.1"),
    "Art.10": ("iso42001:2023:A.7.4", "iso42001:2023:A.7.5"),
    "Art.11": ("iso42001:2023:A.6.2.7",),
    "Art.12": ("iso42001:2023:A.6.2.8",),
    "Art.13": ("iso42001:2023:A.8.2",),
    "Art.14": ("iso42001:2023:A.9.2", "nist-ai-rmf:1.0:MAP-3.5"),
    "Art.15": ("iso42001:2023:A.6.2.4", "nist-ai-rmf:1.0:MEASURE-2.7"),
    "Art.15(5)": ("nist-ai-rmf:1.0:MEASURE-2.7", "iso27001:2022:A.8.29"),
    "Art.17": ("iso42001:2023:4.4", "iso42001:2023:7.5"),
    "Art.27": (
        "iso42001:2023:6.1.4",
        "iso42001:2023:8.4",
        "iso42001:2023:A.5.2",
        "iso42001:2023:A.5.4",
        ISO42005,
    ),
    "Art.72": ("iso42001:2023:A.6.2.6", "nist-ai-rmf:1.0:MANAGE-4.1"),
    "Art.73": ("iso42001:2023:A.8.4", "nist-ai-rmf:1.0:MANAGE-4.3"),
}


_ART27_CONFIRM = (
    "applies if the use is credit scoring / creditworthiness (Annex III 5(b)) or life and health "
    "insurance pricing (5(c)): aisec does not record which"
)


def annex_iii_area(
    system: AISystem, source: str | None = None, line: int | None = None
) -> AnnexIIIArea | None:
    """The declared Annex III area as a closed key; anything else is a located input error."""
    raw = system.regulatory.annex_iii_area
    if raw is None:
        return None
    try:
        return AnnexIIIArea(raw)
    except ValueError:
        keys = ", ".join(a.value for a in AnnexIIIArea)
        raise InputError(
            f"unknown Annex III area {raw!r}",
            source=source,
            line=line,
            field="regulatory.annex_iii_area",
            hint=f"use one of: {keys} (or leave it empty)",
        ) from None


class _Builder:
    def __init__(
        self,
        act: Framework,
        catalog: Catalog | None,
        crosswalk: Crosswalk | None,
        states: ControlStates | None,
    ) -> None:
        self.act, self.catalog, self.crosswalk, self.states = act, catalog, crosswalk, states
        self.found: list[Obligation] = []
        self.skipped: list[NotTriggered] = []

    def title(self, article: str) -> str:
        return self.act.title_of(NS + article)

    def helping(self, article: str) -> list[HelpingControl]:
        if self.crosswalk is None:
            return []
        out: dict[str, HelpingControl] = {}
        for part in _PARAGRAPHS.get(article, (article,)):
            for link in self.crosswalk.for_target(NS + part, SourceKind.CONTROL):
                if link.source in out:
                    continue
                state = self.states.get(link.source) if self.states is not None else None
                control = self.catalog.controls.get(link.source) if self.catalog else None
                out[link.source] = HelpingControl(
                    control=link.source,
                    name=control.name if control else link.source,
                    relationship=link.rel,
                    why=link.why,
                    status=state.status if state else None,
                    evidence=list(state.evidence) if state else [],
                )
        return list(out.values())

    def add(
        self,
        article: str,
        addressee: str,
        why: list[str],
        applicability: Applicability = Applicability.APPLIES,
    ) -> None:
        self.found.append(
            Obligation(
                article=NS + article,
                title=self.title(article),
                addressee=addressee,
                applicability=applicability,
                why=why,
                related=list(_RELATED.get(article, ())),
                controls=self.helping(article),
            )
        )

    def skip(self, article: str, reason: str) -> None:
        self.skipped.append(
            NotTriggered(article=NS + article, title=self.title(article), reason=reason)
        )


_HIGH_RISK_PROVIDER = tuple(f"Art.{n}" for n in "9 10 11 12 13 14 15 15(5) 17 72 73".split())


def obligations(
    system: AISystem,
    catalog: Catalog | None = None,
    crosswalks: Mapping[str, Crosswalk] | None = None,
    control_states: ControlStates | None = None,
    *,
    source: str | None = None,
    line: int | None = None,
) -> ObligationsResult:
    """AI Act obligations that follow from `system.regulatory` (guidance, not legal advice)."""
    reg = system.regulatory
    area = annex_iii_area(system, source, line)
    act = default_frameworks()["eu-ai-act"]
    b = _Builder(act, catalog, crosswalks.get("eu-ai-act") if crosswalks else None, control_states)
    basis: list[str] = []
    if area is not None:
        basis.append(f"declared Annex III area '{area.value}' (Art. 6(2))")
    if reg.safety_component:
        basis.append("safety component of a product under Annex I legislation (Art. 6(1))")
    high_risk = bool(basis)
    role = AiActRole(reg.eu_ai_act_role)
    if role is AiActRole.NOT_IN_SCOPE:
        b.skip("Art.4", "the system is declared outside the AI Act's scope (eu_ai_act_role)")
        return _result(system, role, high_risk, basis, b)
    provider = role in (AiActRole.PROVIDER, AiActRole.BOTH)
    deployer = role in (AiActRole.DEPLOYER, AiActRole.BOTH)
    who = f"you are declared {role.value}"
    b.add(
        "Art.4",
        "provider and deployer",
        [f"{who}; AI literacy applies to every provider and deployer"],
    )
    _high_risk(
        b,
        provider,
        deployer,
        high_risk,
        basis,
        area,
        reg.public_body_or_public_service,
        reg.credit_or_insurance_pricing,
    )
    _transparency(b, provider, deployer, reg.interacts_with_people, reg.generates_synthetic_content)
    _gpai(b, provider, reg.general_purpose_model, reg.systemic_risk_gpai)
    return _result(system, role, high_risk, basis, b)


def _high_risk(
    b: _Builder,
    provider: bool,
    deployer: bool,
    high_risk: bool,
    basis: list[str],
    area: AnnexIIIArea | None,
    public: bool,
    credit_or_insurance: bool | None = None,
) -> None:
    if not high_risk:
        for article in (*_HIGH_RISK_PROVIDER, "Art.26", "Art.27"):
            b.skip(article, "not high-risk: no Annex III area declared and not a safety component")
        return
    facts = "high-risk because of the " + " and ".join(basis)
    for article in _HIGH_RISK_PROVIDER:
        if provider:
            b.add(article, "provider", [f"{facts}; you are its provider"])
        else:
            b.skip(article, "provider obligation; you are declared deployer only")
    if not deployer:
        b.skip("Art.26", "deployer obligation; you are declared provider only")
        b.skip("Art.27", "deployer obligation; you are declared provider only")
        return
    b.add("Art.26", "deployer", [f"{facts}; you deploy it"])
    if area is None:
        b.skip(
            "Art.27",
            "applies to Annex III (Art. 6(2)) systems; this one is high-risk only "
            "as a safety component",
        )
    elif area is AnnexIIIArea.CRITICAL_INFRASTRUCTURE:
        b.skip("Art.27", "Annex III point 2 (critical infrastructure) is excluded from Art. 27")
    elif public:
        b.add(
            "Art.27",
            "deployer",
            [f"{facts}; you deploy it as a public body or a provider of public services"],
        )
    elif area is AnnexIIIArea.ESSENTIAL_SERVICES and credit_or_insurance is None:
        b.add(
            "Art.27",
            "deployer",
            [f"{facts}; you deploy it", _ART27_CONFIRM],
            Applicability.TO_CONFIRM,
        )
    elif area is AnnexIIIArea.ESSENTIAL_SERVICES and credit_or_insurance:
        b.add(
            "Art.27",
            "deployer",
            [
                f"{facts}; you deploy it for credit scoring or life/health insurance pricing "
                "(Annex III 5(b)/5(c))"
            ],
        )
    else:
        b.skip(
            "Art.27",
            "you are not declared a public body or public-service provider, and "
            "the area is not credit scoring or insurance pricing",
        )


def _transparency(
    b: _Builder, provider: bool, deployer: bool, people: bool, synthetic: bool
) -> None:
    reasons = []
    if people:
        reasons.append("it interacts directly with people (Art. 50(1))")
    if synthetic:
        reasons.append("it generates synthetic audio, image, video or text (Art. 50(2))")
    if provider and reasons:
        b.add("Art.50", "provider", reasons)
    elif not reasons:
        b.skip("Art.50", "no direct interaction with people and no synthetic content declared")
    else:
        b.skip("Art.50", "Art. 50(1)-(2) fall on the provider; you are declared deployer only")
    if deployer and synthetic:
        b.add(
            "Art.50(4)",
            "deployer",
            [
                "it generates synthetic content",
                "applies if it produces deep fakes or text published to inform the public",
            ],
            Applicability.TO_CONFIRM,
        )


def _gpai(b: _Builder, provider: bool, gpai: bool, systemic: bool) -> None:
    if not (gpai or systemic):
        b.skip("Art.53", "no general-purpose AI model declared")
        b.skip("Art.55", "no general-purpose AI model with systemic risk declared")
        return
    if not provider:
        b.skip("Art.53", "GPAI obligations fall on the model's provider; you are deployer only")
        b.skip("Art.55", "GPAI obligations fall on the model's provider; you are deployer only")
        return
    why = ["you provide a general-purpose AI model"]
    if not gpai:
        why.append("implied by the systemic-risk flag (general_purpose_model is not set)")
    b.add("Art.53", "GPAI model provider", why)
    if systemic:
        b.add(
            "Art.55",
            "GPAI model provider",
            [
                "the model is declared to have systemic risk (Art. 51)",
                "includes adversarial testing and cybersecurity of model and infrastructure",
            ],
        )
    else:
        b.skip("Art.55", "the model is not declared to have systemic risk")


def _impact_notes(system: AISystem, high_risk: bool, b: _Builder) -> list[str]:
    impact = system.impact
    notes: list[str] = []
    art27 = any(o.article == NS + "Art.27" for o in b.found)
    if (impact.fundamental_rights or impact.vulnerable_groups) and not art27:
        notes.append(
            "Fundamental rights or vulnerable groups are named but no Art. 27 "
            "assessment is triggered: a voluntary impact assessment (ISO/IEC 42005; "
            "ISO/IEC 42001 6.1.4 and A.5) is still advisable."
        )
    if impact.harm_to_individuals.value in ("high", "critical") and not high_risk:
        notes.append(
            "Harm to individuals is rated high but the system is not declared "
            "high-risk: check the Annex III areas again."
        )
    if impact.explainability.value in ("high", "critical"):
        notes.append(
            "Explainability is a high priority: see the explainability and "
            "ai-transparency controls (Art. 13 and Art. 86 rights to explanation)."
        )
    return notes


def _result(
    system: AISystem, role: AiActRole, high_risk: bool, basis: list[str], b: _Builder
) -> ObligationsResult:
    return ObligationsResult(
        system=system.id,
        role=role,
        high_risk=high_risk,
        high_risk_basis=basis,
        obligations=b.found,
        not_triggered=b.skipped,
        impact_notes=_impact_notes(system, high_risk, b),
    )


def _base_article(item_id: str) -> str:
    """`eu-ai-act:2024:Art.15(4)` -> `eu-ai-act:2024:Art.15`."""
    return item_id.split("(", 1)[0]


def scope_ai_act_coverage(cov: FrameworkCoverage, duties: ObligationsResult) -> FrameworkCoverage:
    """AI Act items that are not this system's obligations become "not applicable (reason)".

    Coverage alone would list every high-risk provider article as a gap for a deployer of a
    limited-risk chatbot; the obligations analysis knows which articles apply, so an item that
    is neither an obligation (nor a paragraph of one) is marked not applicable with its reason.
    Items already outside the scope of security guidance keep that status.
    """
    applies = {o.article for o in duties.obligations}
    applies_base = {_base_article(a) for a in applies}
    reasons = {n.article: n.reason for n in duties.not_triggered}
    role = duties.role.value
    items = []
    for item in cov.items:
        if item.status is ItemStatus.OUTSIDE_SCOPE or item.id in applies:
            items.append(item)
            continue
        if item.id not in reasons and _base_article(item.id) in applies_base and "(" not in item.id:
            items.append(item)  # the article of an applicable paragraph stays assessed
            continue
        reason = reasons.get(item.id) or reasons.get(_base_article(item.id))
        if reason is None:
            reason = (
                f"not among this system's AI Act obligations (role {role}, "
                f"high-risk: {'yes' if duties.high_risk else 'no'})"
            )
        items.append(
            item.model_copy(
                update={
                    "status": ItemStatus.NOT_APPLICABLE,
                    "note": f"not applicable to this system: {reason}",
                }
            )
        )
    counts = {status: 0 for status in ItemStatus}
    for entry in items:
        counts[entry.status] += 1
    return cov.model_copy(update={"items": items, "counts": counts})
