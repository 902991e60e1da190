"""Who may do what: workspace roles, token scopes and the errors the edges map to HTTP.

Pure rules, no I/O: the web layer and the services both ask `allowed(role, action)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from aisec.common.errors import AisecError


class Role(StrEnum):
    ADMIN = "admin"
    ASSESSOR = "assessor"
    RISK_OWNER = "risk-owner"
    CONTRIBUTOR = "contributor"
    AUDITOR = "auditor"


class Action(StrEnum):
    READ = "read"
    READ_AUDIT = "read-audit"
    EDIT_SYSTEM = "edit-system"
    EDIT_ASSESSMENT = "edit-assessment"
    DECIDE = "decide"
    UPLOAD_EVIDENCE = "upload-evidence"
    RUN_JOBS = "run-jobs"
    MANAGE = "manage"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.ASSESSOR: frozenset(
        {
            Action.READ,
            Action.EDIT_SYSTEM,
            Action.EDIT_ASSESSMENT,
            Action.UPLOAD_EVIDENCE,
            Action.RUN_JOBS,
        }
    ),
    Role.RISK_OWNER: frozenset({Action.READ, Action.DECIDE}),
    Role.CONTRIBUTOR: frozenset({Action.READ, Action.EDIT_ASSESSMENT, Action.UPLOAD_EVIDENCE}),
    Role.AUDITOR: frozenset({Action.READ, Action.READ_AUDIT}),
}

# Which token scope an action needs: read-only tokens read, evidence tokens only upload.
SCOPE_OF: dict[Action, str] = {
    Action.READ: "read",
    Action.READ_AUDIT: "read",
    Action.UPLOAD_EVIDENCE: "evidence",
}


def allowed(role: Role, action: Action) -> bool:
    return action in _ALLOWED[role]


def scope_for(action: Action) -> str:
    return SCOPE_OF.get(action, "write")


@dataclass(frozen=True)
class Actor:
    """The authenticated identity behind a request or a CLI call, as the audit trail names it."""

    user_id: int | None
    username: str
    display_name: str = ""
    via: str = "cli"  # session | token:<id> | oidc | cli
    scopes: frozenset[str] | None = None  # None: not a token (session or CLI): no scope limit
    site_admin: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes


CLI_ACTOR = Actor(user_id=None, username="cli", via="cli", site_admin=True)


class NotFound(AisecError):
    """No such object *for this user*: other workspaces' objects are indistinguishable from none."""


class Forbidden(AisecError):
    """The user sees the object but their role or token scope does not allow the action."""


class Conflict(AisecError):
    """Optimistic concurrency: the revision the client edited is no longer the head."""

    def __init__(self, message: str, *, head: int, diff: object = None) -> None:
        super().__init__(message)
        self.head = head
        self.diff = diff
