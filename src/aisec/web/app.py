"""The team server application: `create_app(settings)` wires database, API, pages and jobs.

OpenAPI docs are served with local assets (fastapi-offline): no CDN, so /docs works offline.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from aisec.common.errors import AisecError, InputError
from aisec.store.access import Conflict, Forbidden, NotFound
from aisec.store.db import default_url, make_engine, make_sessionmaker, normalise_url, upgrade


@dataclass
class Settings:
    """Server settings; every field has a safe default for a single machine."""

    database_url: str = ""
    secure_cookies: bool | None = None  # None: Secure when the request came over HTTPS
    trust_proxy: bool = False  # honour X-Forwarded-Proto from a TLS reverse proxy
    migrate: bool = True
    jobs_inline: bool | None = None  # None: in-process with SQLite, queue with PostgreSQL
    embedded_worker: bool = True  # PostgreSQL: the server also works the queue in a thread
    oidc: dict[str, str] = field(default_factory=dict)  # issuer, client_id, client_secret
    max_upload_bytes: int = 16 * 1024 * 1024
    pages: bool = True  # include the HTML pages (aisec.web.pages) when installed
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self) -> str:
        return normalise_url(self.database_url or default_url())


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=404)

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=403)

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.message, "head": exc.head, "diff": exc.diff}, status_code=409
        )

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(AisecError)
    async def _aisec(_: Request, exc: AisecError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)


def create_app(settings: Settings | None = None) -> FastAPI:
    from fastapi_offline import FastAPIOffline

    from aisec import __version__
    from aisec.jobs import JobRunner
    from aisec.store.accounts import LoginThrottle
    from aisec.web.api import router as api_router

    settings = settings or Settings()
    url = settings.url()
    if settings.migrate:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        upgrade(url)
    engine = make_engine(url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from aisec.store.pool import shared

        analysis = shared()  # start the analysis workers now, not on the first save
        if analysis is not None:
            analysis.warm()
        yield
        app.state.jobs.shutdown()
        engine.dispose()

    app = FastAPIOffline(
        lifespan=lifespan,
        title="aisec team server",
        version=__version__,
        description="Shared, versioned AI-system assessments aligned with ISO/IEC 27090 "
        "guidance (alignment, not certification).",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.throttle = LoginThrottle()
    app.state.jobs = JobRunner(
        app.state.sessionmaker, url, settings.jobs_inline, settings.embedded_worker
    )
    _errors(app)
    from aisec.web.auth.oidc import configure

    configure(app, settings.oidc)
    app.include_router(api_router)
    if settings.pages:
        _include_pages(app)
    return app


def _include_pages(app: FastAPI) -> None:
    try:  # the web pages (issue 11) plug in when present
        pages = importlib.import_module("aisec.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name != "aisec.web.pages":
            raise
    else:
        router = getattr(pages, "router", None)
        if router is not None:
            app.include_router(router if isinstance(router, APIRouter) else router())
