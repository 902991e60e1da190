# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""Request and response bodies of the REST API (pydantic, published in the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aisec.store.access import Role


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1000)


class LoginOut(BaseModel):
    username: str
    csrf_token: str
    expires_at: dt.datetime


class MeOut(BaseModel):
    username: str
    display_name: str
    site_admin: bool
    via: str
    csrf_token: str | None = None
    workspaces: list[dict[str, str]]


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=120)
    scopes: list[Literal["read", "write", "evidence"]] = Field(min_length=1, max_length=3)
    days: int | None = Field(default=90, ge=1, le=3660, description="lifetime; null: no expiry")


class TokenOut(BaseModel):
    id: int
    name: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked: bool
    secret: str | None = Field(default=None, description="shown once, at creation")


class WorkspaceIn(Body):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    name: str = Field(default="", max_length=200)


class WorkspaceOut(BaseModel):
    slug: str
    name: str
    role: str
    systems: int | None = None


class MemberIn(Body):
    role: Role
    granted_role: str | None = Field(default=None, pattern=r"^(vendor|integrator)$")


class SystemIn(Body):
    yaml: str = Field(min_length=1, max_length=2_000_000, description="system description YAML")
    assessment_yaml: str | None = Field(default=None, max_length=2_000_000)
    message: str = Field(default="", max_length=500)


class SystemUpdate(Body):
    yaml: str = Field(min_length=1, max_length=2_000_000)
    base_revision: int | None = Field(
        default=None, ge=1, description="revision edited; 409 if stale"
    )
    message: str = Field(default="", max_length=500)


class AssessmentIn(Body):
    yaml: str = Field(min_length=1, max_length=2_000_000, description="assessment YAML")
    base_revision: int | None = Field(
        default=None, ge=1, description="revision edited; 409 if stale"
    )
    message: str = Field(default="", max_length=500)


class ReassessIn(Body):
    label: str = Field(default="", max_length=200)


class DecisionIn(Body):
    threat: str = Field(min_length=1, max_length=120)
    component: str | None = Field(default=None, max_length=60)
    treatment: str = Field(pattern=r"^(mitigate|accept|avoid|transfer)$")
    justification: str | None = Field(default=None, max_length=4000)
    review_by: dt.date | None = None
    risk_owner: str | None = Field(default=None, max_length=200)
    evidence: list[str] = Field(default_factory=list, max_length=50)
    transferred_to: str | None = Field(default=None, max_length=200)
    base_revision: int | None = Field(default=None, ge=1)


class SystemOut(BaseModel):
    id: str
    name: str
    owner: str
    system_revision: int
    assessment_revision: int
    yaml: str
    assessment_yaml: str | None
    residual_sum: int
    risks_above_acceptance: int
    readiness: int


class RevisionOut(BaseModel):
    system: str
    number: int
    system_revision: int
    message: str
    label: str
    catalog_version: str
    created_at: dt.datetime
    yaml: str | None
    residual_sum: int


class EvidenceOut(BaseModel):
    id: int
    filename: str
    sha256: str
    size: int
    tool: str
    tool_version: str
    subject: str
    uploader: str
    created_at: dt.datetime
    assessment_revision: int | None = None


class JobIn(Body):
    kind: str = Field(pattern=r"^(reassess|scan|probe|mltest)$")
    params: dict[str, Any] = Field(default_factory=dict)


class ShareIn(Body):
    username: str = Field(min_length=1, max_length=120)


class ErrorOut(BaseModel):
    detail: str


class ConflictOut(BaseModel):
    detail: str
    head: int = Field(description="the current head revision")
    diff: dict[str, Any] | None = Field(
        default=None, description="what changed between the revision you edited and the head"
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Invalid input (file, line, field and reason)"},
    401: {"model": ErrorOut, "description": "Not authenticated, or token expired/revoked"},
    403: {"model": ErrorOut, "description": "Role, token scope or CSRF token does not allow it"},
    404: {"model": ErrorOut, "description": "No such object in a workspace you belong to"},
    409: {"model": ConflictOut, "description": "Stale revision: reload, merge, save again"},
    413: {"model": ErrorOut, "description": "Upload too large"},
    429: {"model": ErrorOut, "description": "Too many failed logins"},
}
