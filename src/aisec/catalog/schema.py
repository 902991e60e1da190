"""Schema of aisec's knowledge: threats, controls, categories, practices.

The catalogue is data (YAML under `data/`), validated by these strict models at load time. IDs
are aisec's own short kebab-case names; references to other frameworks are namespaced strings
(`atlas:AML.T0051`, `owasp-llm:2025:LLM01`, `iso42001:2023:A.6.2.4`...). Text is our own words.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
REF_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*:[A-Za-z0-9.:_()/-]+$")

Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Level(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return ["none", "low", "medium", "high"].index(self.value)


class Asset(StrEnum):
    TRAINING_DATA = "training-data"
    MODEL_PARAMETERS = "model-parameters"
    MODEL_IP = "model-ip"
    INPUT_DATA = "input-data"
    AUGMENTATION_DATA = "augmentation-data"
    OUTPUT_CONSUMERS = "output-consumers"
    COMPUTE = "compute"
    CODE_CONFIG = "code-config"
    CONNECTED_SYSTEMS = "connected-systems"


class Phase(StrEnum):
    """AI life-cycle stages (our own short labels, in the spirit of ISO/IEC 5338 / 22989)."""

    DESIGN = "design"
    DATA = "data"
    TRAINING = "training"
    EVALUATION = "evaluation"
    DEPLOYMENT = "deployment"
    OPERATION = "operation"
    RETIREMENT = "retirement"


class Surface(StrEnum):
    DEVELOPMENT = "development"  # engineering environment and supply chain
    USE = "use"  # through model input / output
    RUNTIME = "runtime"  # break-in on the live system


class Category(StrEnum):
    """aisec's ten control categories (see ARCHITECTURE.md); remappable as data."""

    GOV = "GOV"
    SUP = "SUP"
    DEV = "DEV"
    DAT = "DAT"
    ROB = "ROB"
    IOH = "IOH"
    ACC = "ACC"
    MON = "MON"
    PRI = "PRI"
    AGT = "AGT"


class ControlKind(StrEnum):
    GOVERNANCE = "governance"
    PROCESS = "process"
    TECHNICAL = "technical"


class Role(StrEnum):
    VENDOR = "vendor"
    INTEGRATOR = "integrator"
    SHARED = "shared"


class ClauseStatus(StrEnum):
    CONFIRMED = "confirmed"
    INFERRED = "inferred"
    UNKNOWN = "unknown"


class SideEffectAspect(StrEnum):
    ACCURACY = "accuracy"
    LATENCY = "latency"
    USABILITY = "usability"
    AVAILABILITY = "availability"
    COST = "cost"
    EXPLAINABILITY = "explainability"
    PRIVACY = "privacy"
    DEVELOPMENT_SPEED = "development-speed"


class Impact(Strict):
    """How badly a successful attack hits each property (CIA and beyond-CIA)."""

    confidentiality: Level
    integrity: Level
    availability: Level
    transparency: Level = Level.NONE
    accountability: Level = Level.NONE
    explainability: Level = Level.NONE
    individuals: Level = Level.NONE  # harm to people: safety, rights, discrimination


class Iso27090Ref(Strict):
    """Where the threat sits in ISO/IEC 27090; numbers are unconfirmed unless status says so."""

    clause: str | None = Field(default=None, pattern=r"^(\d+(\.\d+)*|Annex [A-Z](\.\d+)*)$")
    status: ClauseStatus = ClauseStatus.UNKNOWN
    label: str | None = Field(default=None, max_length=120, description="our own short label")


def _check_refs(values: list[str]) -> list[str]:
    for value in values:
        if not REF_PATTERN.match(value):
            raise ValueError(f"reference {value!r} is not namespaced like 'atlas:AML.T0051'")
    if len(set(values)) != len(values):
        raise ValueError("duplicate references")
    return values


class Threat(Strict):
    id: Identifier
    name: Text
    summary: Text
    attack: Text = Field(description="how the attack works, in our words")
    consequences: Text
    assets: list[Asset] = Field(min_length=1)
    impact: Impact
    phases: list[Phase] = Field(min_length=1)
    surface: list[Surface] = Field(min_length=1)
    detection: list[Text] = Field(min_length=1)
    base_likelihood: int = Field(ge=1, le=5, description="likelihood on 1-5 when it applies")
    base_reason: str | None = Field(
        default=None,
        max_length=300,
        description="why the base likelihood: skill and access the attack needs, how often seen",
    )
    owasp_aix: str | None = Field(default=None, description="OWASP AI Exchange slug")
    owasp_aix_related: list[str] = Field(
        default_factory=list, description="further AI Exchange sections the threat covers"
    )
    how_to_test: list[Text] = Field(
        default_factory=list,
        description="how an assessor gets evidence: the aisec probe, mltest or manual test",
    )
    iso27090: Iso27090Ref = Field(default_factory=Iso27090Ref)
    refs: list[str] = Field(default_factory=list)

    _refs = field_validator("refs")(_check_refs)


class Effect(Strict):
    """How much a fully implemented control lowers one threat's likelihood and/or impact
    (in steps of the 1-5 scale)."""

    threat: Identifier
    likelihood: int = Field(ge=0, le=3)
    impact: int = Field(ge=0, le=2, default=0)
    note: str | None = Field(default=None, max_length=400)


class SideEffect(Strict):
    aspect: SideEffectAspect
    level: Level
    note: Text


class Conflict(Strict):
    control: Identifier
    note: Text


class Control(Strict):
    id: Identifier
    name: Text
    summary: Text
    category: Category
    kind: ControlKind
    phases: list[Phase] = Field(min_length=1)
    role: Role
    effects: list[Effect] = Field(min_length=1)
    side_effects: list[SideEffect] = Field(default_factory=list)
    depends_on: list[Identifier] = Field(default_factory=list)
    conflicts_with: list[Conflict] = Field(default_factory=list)
    evidence: list[Text] = Field(min_length=1, description="what an auditor would accept")
    verified_by: list[str] = Field(
        default_factory=list,
        description="probe checks able to verify it: 'scan', 'probe:<family>', 'mltest:<test>'",
    )
    owasp_aix: str | None = Field(default=None, description="OWASP AI Exchange control tag")
    guidance: list[Text] = Field(
        default_factory=list,
        description="implementation steps, limitations and the evidence that shows it (our words)",
    )
    questions: list[Text] = Field(
        default_factory=list, description="what an assessor asks to judge the control"
    )
    refs: list[str] = Field(default_factory=list)

    _refs = field_validator("refs")(_check_refs)


class CategoryInfo(Strict):
    id: Category
    name: Text
    summary: Text


class Question(Strict):
    id: Identifier
    text: Text
    controls: list[Identifier] = Field(default_factory=list)


class Practice(Strict):
    id: Identifier
    name: Text
    summary: Text
    principles: list[str] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)


class ThreatsFile(Strict):
    version: str
    threats: list[Threat]


class ControlsFile(Strict):
    version: str
    controls: list[Control]


class CategoriesFile(Strict):
    version: str
    categories: list[CategoryInfo]


class PracticesFile(Strict):
    version: str
    practices: list[Practice]


class Fact(StrEnum):
    """Named facts about an AI system that applicability rules combine.

    Each is computed by `aisec.analysis.facts` for one component (a model, or the whole system)
    together with a sentence naming the components that make it true or false.
    """

    ALWAYS = "always"
    GENAI = "genai"
    PREDICTIVE = "predictive"
    ACCEPTS_INPUT = "accepts-input"  # someone other than the developers can send input
    UNTRUSTED_INPUT = "untrusted-input"  # public/partner/unauthenticated senders
    UNTRUSTED_CONTENT_IN_PROMPT = "untrusted-content-in-prompt"
    HAS_AUGMENTATION = "has-augmentation"
    AUGMENTATION_SENSITIVE = "augmentation-sensitive"
    AUGMENTATION_WRITABLE = "augmentation-writable"
    TRAINS_IN_HOUSE = "trains-in-house"  # trains or fine-tunes
    THIRD_PARTY_MODEL = "third-party-model"
    THIRD_PARTY_WEIGHTS = "third-party-weights"  # we handle weight files made by others
    SELF_HOSTED = "self-hosted"
    SUPPLIER_HOSTED = "supplier-hosted"
    MODEL_IS_IP = "model-is-ip"
    TRAINING_DATA_SENSITIVE = "training-data-sensitive"
    UNTRUSTED_TRAINING_DATA = "untrusted-training-data"
    INPUT_DATA_SENSITIVE = "input-data-sensitive"
    CONFIDENCE_EXPOSED = "confidence-exposed"
    USES_TOOLS = "uses-tools"
    CONSEQUENTIAL_TOOLS = "consequential-tools"  # write/send/execute/pay
    UNAPPROVED_ACTIONS = "unapproved-actions"  # consequential tools with no human approval
    TOOLS_REACH_SENSITIVE_DATA = "tools-reach-sensitive-data"
    LETHAL_TRIFECTA = "lethal-trifecta"
    OUTPUT_RENDERED_OR_EXECUTED = "output-rendered-or-executed"
    DRIVES_DECISIONS = "drives-decisions"
    CONTINUOUS_LEARNING = "continuous-learning"
    INTERNAL_ONLY_INPUT = "internal-only-input"  # every sender is authenticated and internal
    ANONYMOUS_INPUT = "anonymous-input"  # a public interface without authentication
    INSTRUCTION_FOLLOWING = "instruction-following"  # generative and obeys its input
    QUERYABLE = "queryable"  # senders observe the model's answers (extraction, inference)
    PHYSICAL_INPUT = "physical-input"  # camera / sensor input from the physical world
    DECIDES_OR_FILTERS = "decides-or-filters"  # predictive, or output drives a decision
    HUMAN_REVIEWS_OUTPUT = "human-reviews-output"  # every output is reviewed before effect
    OUTPUT_SEEN_BY_OTHERS = "output-seen-by-others"  # other users, staff, public see it
    WEIGHTS_OFF_PREMISES = "weights-off-premises"  # devices, edge, customer sites
    WEIGHTS_DISTRIBUTED = "weights-distributed"  # others hold a copy of the weights
    WEIGHTS_WORTH_STEALING = "weights-worth-stealing"  # IP, or embed sensitive data
    RUNS_SERVICE = "runs-service"  # the organisation operates the model for others
    TRAINING_DATA_SHARED = "training-data-shared"  # sensitive data sent to a supplier
    HOLDS_SECRETS_CONFIG = "holds-secrets-config"  # prompts, keys, agent config, code
    SOFTWARE_STACK = "software-stack"  # third-party libraries, SDKs and hosting in use
    ANONYMOUS_TRIGGER = "anonymous-trigger"  # anonymous users can make it call a tool
    CROSS_USER_TOOLS = "cross-user-tools"  # tools acting beyond the caller's own records
    AGENT_MESSAGES = "agent-messages"  # exchanges messages with other agents
    RECORDS_SENSITIVE = "records-sensitive"  # logs / transcripts holding sensitive data
    QUERIED_WITH_SENSITIVE_CONTEXT = "queried-with-sensitive-context"  # input + sensitive data
    MEMORISED_DATA_EXPOSED = "memorised-data-exposed"  # shared weights holding sensitive data


class RuleScope(StrEnum):
    MODEL = "model"  # evaluated once per model of the system
    SYSTEM = "system"  # evaluated once for the whole system


class ApplicabilityRule(Strict):
    """When a threat applies: all of `when` and, if given, at least one of `any_of`.

    `aggravated_by` facts raise the likelihood with diminishing returns and `eased_by` facts
    lower it (see `aisec.analysis.likelihood`); reach facts are read as who can attempt it.
    """

    threat: Identifier
    scope: RuleScope = RuleScope.MODEL
    when: list[Fact] = Field(default_factory=list)
    any_of: list[Fact] = Field(default_factory=list)
    aggravated_by: list[Fact] = Field(default_factory=list)
    eased_by: list[Fact] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=400)


class ApplicabilityFile(Strict):
    version: str
    rules: list[ApplicabilityRule]


class Overlay(Strict):
    """A user's local additions: own controls/threats, or clause refs from a licensed copy."""

    version: str = "1"
    threats: list[Threat] = Field(default_factory=list)
    controls: list[Control] = Field(default_factory=list)
    practices: list[Practice] = Field(default_factory=list)
    iso27090: dict[Identifier, Iso27090Ref] = Field(
        default_factory=dict, description="threat id -> clause reference overriding ours"
    )
    rules: list[ApplicabilityRule] = Field(default_factory=list)
