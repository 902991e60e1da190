# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""REST API under /api/v1 (and /api/health). OpenAPI at /openapi.json, docs at /docs."""

from __future__ import annotations

from fastapi import APIRouter

from aisec.web.api import account, systems, workspaces
from aisec.web.api.schemas import ERRORS
from aisec.web.auth import oidc

router = APIRouter()
v1 = APIRouter(prefix="/api/v1", responses=ERRORS)
v1.include_router(account.router)
v1.include_router(oidc.router)
v1.include_router(workspaces.router)
v1.include_router(systems.router)
router.include_router(v1)


@router.get("/api/health", tags=["health"])
def health() -> dict[str, bool]:
    return {"ok": True}
