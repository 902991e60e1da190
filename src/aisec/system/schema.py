"""Schema of one AI system as a user describes it (YAML) or as imported from an ML-BOM.

The fields are the facts that decide which threats apply (who supplies input, who trains, who
hosts, what is inserted into prompts, what the output reaches...) plus the business-impact
ratings that turn threats into risk, and the regulatory facts that decide EU AI Act duties.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aisec.catalog.schema import ID_PATTERN
from aisec.system.disclosure import MustNotDisclose

Ref = Annotated[str, Field(pattern=ID_PATTERN, max_length=60)]
Label = Annotated[str, Field(min_length=1, max_length=200)]
Rating = Annotated[int, Field(ge=1, le=5)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrgRole(StrEnum):
    VENDOR = "vendor"  # develops / markets the AI system or model
    INTEGRATOR = "integrator"  # deploys it in a business context
    BOTH = "both"


class Archetype(StrEnum):
    ASSISTANT = "conversational-assistant"
    AGENT = "autonomous-agent"
    RAG = "rag"
    RECOMMENDER = "recommender"
    CLASSIFIER = "ml-classifier"
    MULTIMODAL = "multimodal"


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    PERSONAL = "personal"
    SPECIAL_CATEGORY = "special-category"  # health, biometrics, etc.

    @property
    def is_sensitive(self) -> bool:
        return self in (
            Sensitivity.CONFIDENTIAL,
            Sensitivity.PERSONAL,
            Sensitivity.SPECIAL_CATEGORY,
        )


class Provenance(StrEnum):
    IN_HOUSE = "in-house"
    THIRD_PARTY = "third-party"
    PUBLIC_WEB = "public-web"
    USER_GENERATED = "user-generated"

    @property
    def is_untrusted(self) -> bool:
        return self in (Provenance.PUBLIC_WEB, Provenance.USER_GENERATED, Provenance.THIRD_PARTY)


class DatasetPurpose(StrEnum):
    TRAINING = "training"
    FINE_TUNING = "fine-tuning"
    EVALUATION = "evaluation"


class Party(StrEnum):
    US = "us"
    SUPPLIER = "supplier"
    NOBODY = "nobody"


class ModelKind(StrEnum):
    GENAI = "genai"
    PREDICTIVE = "predictive"


class ModelSource(StrEnum):
    IN_HOUSE = "in-house"
    OPEN_WEIGHTS = "open-weights"  # third-party weights we run or adapt
    PROVIDER_API = "provider-api"  # a model we only reach through a supplier's API


class Host(StrEnum):
    US = "us"
    MODEL_PROVIDER = "model-provider"
    CLOUD_HOST = "cloud-host"  # a third party hosting weights for us


class StoreKind(StrEnum):
    VECTOR_STORE = "vector-store"
    SYSTEM_PROMPT = "system-prompt"
    AGENT_MEMORY = "agent-memory"
    KNOWLEDGE_BASE = "knowledge-base"
    FEATURE_STORE = "feature-store"


class ContentSource(StrEnum):
    INTERNAL = "internal"
    PUBLIC_WEB = "public-web"
    USER_UPLOADS = "user-uploads"
    EMAIL = "email"
    PARTNER = "partner"
    DEVELOPERS = "developers"
    FEEDBACK = "feedback-signals"  # clicks, ratings, purchases used as labels
    DOCUMENTS = "documents"  # files, PDFs, images a user forwards or a pipeline ingests

    @property
    def is_untrusted(self) -> bool:
        return self in (
            ContentSource.PUBLIC_WEB,
            ContentSource.USER_UPLOADS,
            ContentSource.EMAIL,
            ContentSource.PARTNER,
            ContentSource.FEEDBACK,
            ContentSource.DOCUMENTS,
        )


class ToolEffect(StrEnum):
    READ = "read"
    WRITE = "write"
    SEND = "send"  # can move data outside the system (mail, HTTP, messages)
    EXECUTE = "execute"  # runs code or commands
    PAY = "pay"  # financial or otherwise irreversible business action


class Deployment(StrEnum):
    """Where the model's weights run, which decides who can physically reach them."""

    SERVICE = "service"  # a data centre or cloud service the operator controls
    DEVICE = "device"  # phones, vehicles, appliances in the hands of users
    EDGE = "edge"  # gateways, cameras, field equipment outside the data centre
    CUSTOMER_PREMISES = "customer-premises"  # installed on-prem at customers


class WeightsDistribution(StrEnum):
    """Who receives a copy of the weights: anyone holding them can attack them white-box."""

    NONE = "none"
    CUSTOMERS = "customers"  # shipped inside apps, devices or on-prem installs
    PUBLIC = "public"  # published on a public hub


class InputKind(StrEnum):
    QUERY = "query"  # an API or chat: senders choose the input freely
    DOCUMENT = "document"  # files or messages processed by a pipeline
    SENSOR = "sensor"  # camera, microphone, telemetry: physical-world input


class Returns(StrEnum):
    """What a sender of input can observe of the model's answer."""

    FULL_OUTPUT = "full-output"  # the generated text or full prediction
    SCORES = "scores"  # probabilities or confidence values
    LABEL_ONLY = "label-only"  # a label or decision without scores
    NOTHING = "nothing"  # the sender sees no answer (e.g. sensor input)

    @property
    def observable(self) -> bool:
        return self is not Returns.NOTHING


class TriggeredBy(StrEnum):
    ANONYMOUS = "anonymous"  # anyone who can reach a public interface
    AUTHENTICATED = "authenticated-users"
    STAFF = "staff"
    SYSTEM = "system"  # only scheduled or internal automation


class ToolScope(StrEnum):
    OWN_RECORDS = "own-records"  # only the calling user's own data
    CROSS_USER = "cross-user"  # records of any user (confused-deputy risk)
    SYSTEM_WIDE = "system-wide"  # configuration or infrastructure


class Audience(StrEnum):
    REQUESTER = "requester"
    OTHER_USERS = "other-users"
    STAFF = "staff"
    DOWNSTREAM_SYSTEM = "downstream-system"
    PUBLIC = "public"


class RecordKind(StrEnum):
    PROMPT_LOG = "prompt-log"
    TRANSCRIPT = "transcript"
    TELEMETRY = "telemetry"
    AUDIT_LOG = "audit-log"


class FlowKind(StrEnum):
    DATA = "data"
    AGENT_MESSAGE = "agent-message"  # one agent instructs or answers another
    APPROVAL = "approval"  # a request for, or grant of, human approval


class Exposure(StrEnum):
    PUBLIC = "public"
    PARTNER = "partner"
    INTERNAL = "internal"


class Rendering(StrEnum):
    PLAIN = "plain"
    MARKDOWN = "markdown"
    HTML = "html"
    STRUCTURED = "structured"  # JSON etc. consumed by another system
    EXECUTED = "executed"  # code, SQL, shell commands run downstream
    DECISION = "decision"  # a score or label that drives an automated decision


class Owner(Strict):
    name: Label
    contact: str | None = Field(default=None, max_length=200)


class Dataset(Strict):
    id: Ref
    name: Label
    purpose: DatasetPurpose
    sensitivity: Sensitivity
    provenance: Provenance
    supplier: str | None = Field(default=None, max_length=200)
    records: int | None = Field(default=None, ge=0)
    shared_with_supplier: bool = Field(
        default=False, description="sent to a supplier, e.g. for fine-tuning by the provider"
    )
    notes: str | None = Field(default=None, max_length=2000)


class Model(Strict):
    id: Ref
    name: Label
    kind: ModelKind
    task: Label = Field(description="e.g. text-generation, classification, ranking, embedding")
    source: ModelSource
    supplier: str | None = Field(default=None, max_length=200)
    trained_by: Party
    fine_tuned_by: Party = Party.NOBODY
    hosted_by: Host
    deployment: Deployment = Field(
        default=Deployment.SERVICE, description="where the weights run: service, device, edge..."
    )
    weights_distributed: WeightsDistribution = Field(
        default=WeightsDistribution.NONE, description="who else receives a copy of the weights"
    )
    follows_instructions: bool = Field(
        default=True,
        description="generative model that obeys instructions in its input (false for plain "
        "next-word or code completion models)",
    )
    is_ip: bool = Field(
        default=False, description="the parameters are valuable intellectual property"
    )
    weights_embed_sensitive_data: bool = Field(
        default=False, description="fine-tuned or trained so that the weights hold personal data"
    )
    outputs_confidence: bool = Field(default=False, description="API returns scores/probabilities")
    training_data: list[Ref] = Field(default_factory=list)
    artifacts: list[str] = Field(default_factory=list, description="model files, for aisec scan")
    endpoints: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list,
        description="URLs (or aisec-reference:MODE) through which the model is probed; "
        "probe evidence counts only for a declared endpoint",
    )
    must_not_disclose: MustNotDisclose | None = Field(
        default=None,
        description="secrets (by file, env or regex, never the value) and confidential "
        "instructions the app behind these endpoints must never reveal; `aisec probe` checks them",
    )
    notes: str | None = Field(default=None, max_length=2000)


class AugmentationStore(Strict):
    id: Ref
    name: Label
    kind: StoreKind
    sensitivity: Sensitivity
    content_sources: list[ContentSource] = Field(min_length=1)
    feeds: list[Ref] = Field(min_length=1, description="models whose prompts/inputs it fills")
    writable_at_runtime: bool = False


class Tool(Strict):
    id: Ref
    name: Label
    description: str = Field(default="", max_length=2000)
    effects: list[ToolEffect] = Field(min_length=1)
    permissions: list[Label] = Field(default_factory=list, description="scopes, e.g. mail.send")
    reaches_sensitive_data: bool = False
    returns_untrusted_content: bool = Field(default=False, description="e.g. web pages, e-mails")
    requires_approval: bool = Field(default=False, description="a person confirms each call")
    approval_threshold: str | None = Field(
        default=None,
        max_length=100,
        description="approval only above this (e.g. 'EUR 200'); calls below it run unapproved",
    )
    scope: ToolScope | None = Field(
        default=None, description="whose records it acts on: own-records, cross-user, system-wide"
    )
    triggered_by: TriggeredBy | None = Field(
        default=None, description="least trusted party that can make the model call it"
    )
    sensitivity: Sensitivity | None = Field(
        default=None, description="sensitivity of the data it reaches (drives impact)"
    )
    used_by: list[Ref] = Field(min_length=1)


class Interface(Strict):
    id: Ref
    name: Label
    exposure: Exposure
    authenticated: bool
    users: list[Label] = Field(min_length=1, description="who can send input")
    models: list[Ref] = Field(min_length=1)
    input_kind: InputKind = Field(
        default=InputKind.QUERY, description="query (API/chat), document, or sensor input"
    )
    returns: Returns | None = Field(
        default=None,
        description="what senders observe: full-output, scores, label-only, nothing "
        "(unset: nothing for sensor input, else full output, with scores if the model "
        "outputs confidence)",
    )
    rate_limit_per_day: int | None = Field(
        default=None, ge=0, description="queries one sender may make per day"
    )
    carries_content: list[ContentSource] = Field(
        default_factory=list,
        description="third-party content arriving through this channel (documents, e-mail, web)",
    )
    request_sensitivity: Sensitivity | None = Field(
        default=None, description="sensitivity of what users send (e.g. patient data in prompts)"
    )


class OutputConsumer(Strict):
    id: Ref
    name: Label
    rendering: Rendering
    models: list[Ref] = Field(min_length=1)
    downstream: str | None = Field(default=None, max_length=200)
    human_review: bool = Field(
        default=False, description="a person reviews each output before it takes effect"
    )
    audience: list[Audience] = Field(
        default_factory=list, description="who sees the output (unset: the requester)"
    )


class RecordStore(Strict):
    """Logs, transcripts and telemetry kept about the system's use."""

    id: Ref
    name: Label
    kind: RecordKind
    sensitivity: Sensitivity
    retention_days: int | None = Field(default=None, ge=0)
    models: list[Ref] = Field(min_length=1, description="models whose traffic it records")
    readers: list[Label] = Field(default_factory=list, description="who can read it")


class DataFlow(Strict):
    source: Ref = Field(alias="from")
    target: Ref = Field(alias="to")
    data: Label
    crosses_boundary: bool = False
    kind: FlowKind = FlowKind.DATA

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ContinuousLearning(Strict):
    enabled: bool = False
    sources: list[ContentSource] = Field(default_factory=list)
    models: list[Ref] = Field(default_factory=list)


class BusinessImpact(Strict):
    """Consequence of losing each property of this system, 1 (negligible) to 5 (severe)."""

    confidentiality: Rating
    integrity: Rating
    availability: Rating


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Priorities(Strict):
    """What the business cannot give up; used to warn about control trade-offs."""

    accuracy: Priority = Priority.MEDIUM
    availability: Priority = Priority.MEDIUM
    latency: Priority = Priority.MEDIUM
    usability: Priority = Priority.MEDIUM
    explainability: Priority = Priority.MEDIUM
    cost: Priority = Priority.MEDIUM


class AiActRole(StrEnum):
    PROVIDER = "provider"
    DEPLOYER = "deployer"
    BOTH = "both"
    NOT_IN_SCOPE = "not-in-scope"


class Regulatory(Strict):
    """Facts that decide EU AI Act obligations (guidance, not legal advice)."""

    eu_ai_act_role: AiActRole = AiActRole.NOT_IN_SCOPE
    annex_iii_area: str | None = Field(
        default=None,
        max_length=60,
        description="Annex III high-risk area key, e.g. 'employment', 'essential-services'",
    )

    @field_validator("annex_iii_area")
    @classmethod
    def _known_area(cls, value: str | None) -> str | None:
        """Validated at load so every command (threats, assess, crosswalk) refuses a typo alike."""
        from aisec.analysis.obligations import AnnexIIIArea  # the one vocabulary, lazily

        if value is not None and value not in {a.value for a in AnnexIIIArea}:
            keys = ", ".join(a.value for a in AnnexIIIArea)
            raise ValueError(f"unknown Annex III area {value!r}; use one of: {keys}")
        return value

    credit_or_insurance_pricing: bool | None = Field(
        default=None,
        description="Annex III 5(b) credit scoring or 5(c) life/health insurance pricing; "
        "null when not known (decides Art. 27 for private deployers)",
    )
    safety_component: bool = Field(
        default=False, description="safety component of an Annex I product"
    )
    general_purpose_model: bool = False
    systemic_risk_gpai: bool = False
    public_body_or_public_service: bool = False
    interacts_with_people: bool = False
    generates_synthetic_content: bool = False


class ImpactBeyondCia(Strict):
    """Who is affected and how, beyond confidentiality, integrity and availability."""

    affected_individuals: list[Label] = Field(default_factory=list)
    vulnerable_groups: list[Label] = Field(default_factory=list)
    fundamental_rights: list[Label] = Field(default_factory=list)
    transparency: Priority = Priority.MEDIUM
    accountability: Priority = Priority.MEDIUM
    explainability: Priority = Priority.MEDIUM
    harm_to_individuals: Priority = Priority.LOW


class AISystem(Strict):
    id: Ref
    name: Label
    description: str = Field(default="", max_length=4000)
    owner: Owner
    organisation_role: OrgRole
    archetypes: list[Archetype] = Field(min_length=1)
    business_impact: BusinessImpact
    priorities: Priorities = Field(default_factory=Priorities)
    datasets: list[Dataset] = Field(default_factory=list)
    models: list[Model] = Field(min_length=1)
    augmentation: list[AugmentationStore] = Field(default_factory=list)
    tools: list[Tool] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    outputs: list[OutputConsumer] = Field(default_factory=list)
    records: list[RecordStore] = Field(default_factory=list)
    data_flows: list[DataFlow] = Field(default_factory=list)
    continuous_learning: ContinuousLearning = Field(default_factory=ContinuousLearning)
    regulatory: Regulatory = Field(default_factory=Regulatory)
    impact: ImpactBeyondCia = Field(default_factory=ImpactBeyondCia)
