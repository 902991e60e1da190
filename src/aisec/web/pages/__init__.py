"""The web app's pages: server-rendered HTML over the same services and permission checks as the
REST API (`aisec.web.app.create_app` includes `router`)."""

from __future__ import annotations

from fastapi import APIRouter

from aisec.web.pages.errors import PageRoute


def build_router() -> APIRouter:
    from aisec.web.pages import (
        admin_pages,
        assessment_pages,
        auth_pages,
        evidence_pages,
        system_pages,
        systems_pages,
        workspace_pages,
    )

    router = APIRouter(include_in_schema=False, route_class=PageRoute)
    for module in (
        auth_pages,
        workspace_pages,
        systems_pages,
        system_pages,
        assessment_pages,
        evidence_pages,
        admin_pages,
    ):
        router.include_router(module.router)
    return router


router = build_router
__all__ = ["build_router", "router"]
