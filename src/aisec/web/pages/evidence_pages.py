# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""Evidence: upload scan/probe/mltest JSON (button or drag and drop), see each file's verdicts,
the controls it verified or overturned, its hash and provenance; and the CI page that creates an
evidence-only token and prints the exact `aisec push` line for a pipeline."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from aisec.common.errors import InputError
from aisec.store import accounts, services
from aisec.store.access import Action
from aisec.store.assessing import parse_evidence_bytes
from aisec.store.models import User
from aisec.web.auth import WorkspaceAccess, get_db, require
from aisec.web.pages.common import base_context, first, form_lists, posted_form, see_other
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.loading import result_of
from aisec.web.pages.render import render_page
from aisec.web.pages.system_pages import load_system, system_view

router = APIRouter(include_in_schema=False, route_class=PageRoute)
P = "/w/{ws}/systems/{slug}"


def _verdicts(raw: bytes, name: str) -> tuple[list[tuple[str, int]], str]:
    try:
        report = parse_evidence_bytes(raw, name)
    except InputError as exc:
        return [], str(exc)
    counts = Counter(f.verdict.value for f in report.findings)
    return sorted(counts.items()), ""


def _evidence_rows(db: Session, system: Any) -> list[dict[str, Any]]:
    rows = services.evidence_of(db, system)
    result = result_of(db, services.assessment_revision(db, system))
    outcomes: dict[str, list[tuple[str, str]]] = {}
    for control in result.controls:
        outcome = control.evidence_outcome
        if outcome is None:
            continue
        for source in outcome.sources:
            outcomes.setdefault(source.rsplit("/", 1)[-1], []).append((control.id, outcome.outcome))
    files = {f.path.rsplit("/", 1)[-1]: f for f in result.evidence}
    ids = {r.uploader_id for r in rows if r.uploader_id is not None}
    users = (
        {u.id: u.username for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    out = []
    for row in reversed(rows):
        verdicts, problem = _verdicts(row.content, row.filename)
        out.append(
            {
                "row": row,
                "uploader": users.get(row.uploader_id or -1, "cli"),
                "verdicts": verdicts,
                "problem": problem,
                "controls": outcomes.get(row.filename, []),
                "file": files.get(row.filename),
            }
        )
    return out


@router.get(P + "/evidence")
def evidence_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    return render_page(
        "pages/evidence.html.j2",
        **base_context(request, access, "portfolio"),
        sys=system_view(system),
        tab="evidence",
        items=_evidence_rows(db, system),
        problem=request.query_params.get("problem", "")[:500],
    )


@router.post(P + "/evidence")
def evidence_upload(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.UPLOAD_EVIDENCE, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    base = f"/w/{access.workspace.slug}/systems/{slug}/evidence"
    uploads = [u for u in form.getlist("file") if not isinstance(u, str)]
    if not uploads:
        return _problem(request, access, db, system, "choose an evidence JSON file to upload")
    limit = request.app.state.settings.max_upload_bytes
    message = first(form_lists(form), "message")
    names = []
    for upload in uploads:
        raw = upload.file.read(limit + 1)
        if len(raw) > limit:
            db.rollback()
            return _problem(
                request, access, db, system, f"{upload.filename}: larger than {limit} bytes"
            )
        try:
            services.upload_evidence(
                db,
                access.actor,
                access.workspace,
                system,
                upload.filename or "evidence.json",
                raw,
                message,
            )
        except InputError as exc:
            db.rollback()
            return _problem(request, access, db, system, str(exc))
        names.append(upload.filename or "evidence.json")
    db.commit()
    return see_other(base, f"Uploaded {', '.join(names)}; the assessment was re-run with it.")


def _problem(
    request: Request, access: WorkspaceAccess, db: Session, system: Any, message: str
) -> Response:
    return render_page(
        "pages/evidence.html.j2",
        status_code=422,
        **base_context(request, access, "portfolio"),
        sys=system_view(system),
        tab="evidence",
        items=_evidence_rows(db, system),
        problem=message,
    )


@router.get(P + "/evidence/{evidence_id}/download")
def evidence_download(
    slug: str,
    evidence_id: int,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    rows = services.evidence_of(db, system, [evidence_id])
    if not rows:
        raise HTTPException(404, "no such evidence")
    from aisec.web.pages.render import secure

    response = Response(rows[0].content, media_type="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{rows[0].filename}"'
    return secure(response)


@router.get(P + "/ci")
def ci_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    return _ci(request, access, system, None)


@router.post(P + "/ci")
def ci_token(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.UPLOAD_EVIDENCE)),
    db: Session = Depends(get_db),
) -> Response:
    """An evidence-only token (it can upload, nothing else), shown once with the push line."""
    values = form_lists(form)
    system = load_system(db, access, slug)
    days = first(values, "days", "90")
    new = accounts.create_token(
        db,
        access.principal.user,
        (first(values, "name") or f"CI {system.slug}")[:120],
        ["evidence"],
        int(days) if days.isdigit() and 0 < int(days) <= 3660 else 90,
        access.actor.via,
    )
    db.commit()
    return _ci(request, access, system, new.secret)


def _ci(request: Request, access: WorkspaceAccess, system: Any, secret: str | None) -> Response:
    server = str(request.base_url).rstrip("/")
    return render_page(
        "pages/ci.html.j2",
        **base_context(request, access, "portfolio"),
        sys=system_view(system),
        tab="evidence",
        secret=secret,
        push=f"aisec push {access.workspace.slug}/{system.slug} evidence.json --server {server}",
    )
