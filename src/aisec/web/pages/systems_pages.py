# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""Describe a system in the browser: the guided form, its live threat preview, the YAML editor,
and upload/download of the very file the CLI reads.

Saving goes through `store.services.create_system` / `update_system` (what the REST API calls):
the routes take no write lock, the service analyses first and locks only to check the heads and
insert, so reads and other saves never wait behind an analysis; a save from a stale revision is a
conflict shown on the page, never a lost write.
A form save writes canonical YAML (`system_form.system_yaml`); an upload or the YAML editor stores
the text exactly as given, so a file downloaded after upload is byte-for-byte the file uploaded.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from aisec.common.errors import InputError
from aisec.common.yamlio import load_yaml_text
from aisec.store import services
from aisec.store.access import Action, Conflict
from aisec.store.assessing import parse_system_text
from aisec.store.models import SystemRevision
from aisec.web.auth import (
    Principal,
    WorkspaceAccess,
    check_csrf,
    current_principal,
    get_db,
    require,
)
from aisec.web.pages.common import (
    base_context,
    first,
    form_lists,
    int_or_none,
    posted_form,
    see_other,
)
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.render import render_page, secure
from aisec.web.pages.system_check import check, preview
from aisec.web.pages.system_form import (
    SECTIONS,
    data_to_form,
    form_to_data,
    rows_in,
    system_yaml,
)
from aisec.web.pages.system_pages import load_system

router = APIRouter(include_in_schema=False, route_class=PageRoute)
MAX_UPLOAD = 2 * 1024 * 1024
_ALSO = re.compile(r"^\s*also [^:]*:(\d+|None): ([^:]+): (.*)$")


def _rows(values: dict[str, list[str]], add: str = "") -> dict[str, list[int]]:
    """Row indices per repeated section: the filled ones plus one spare row (two if adding)."""
    out = {}
    for s in SECTIONS:
        if not s.repeat:
            continue
        present = rows_in(values, s.key)
        filled = [i for i in present if _filled(values, f"{s.key}.{i}.")]
        nxt = max(present, default=-1) + 1
        spare = [nxt] + ([nxt + 1] if add == s.key else [])
        out[s.key] = filled + spare
    return out


def _filled(values: dict[str, list[str]], prefix: str) -> bool:
    return any(
        v.strip()
        for k, vs in values.items()
        if k.startswith(prefix)
        for v in vs
        if k[-5:] != "_was"
    ) and not values.get(prefix + "_remove")


def _form_page(
    request: Request,
    access: WorkspaceAccess,
    values: dict[str, list[str]],
    *,
    slug: str = "",
    base_revision: int | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    add: str = "",
    show_preview: bool = False,
    status: int = 200,
) -> Response:
    ws = access.workspace.slug
    data = form_to_data(values)
    return render_page(
        "pages/system_form.html.j2",
        status_code=status,
        **base_context(request, access, "edit" if slug else "new"),
        sections=SECTIONS,
        values=values,
        rows=_rows(values, add),
        errors=errors or {},
        problems=problems or [],
        preview=preview(data) if show_preview or slug else None,
        action=f"/w/{ws}/systems/{slug}/edit" if slug else f"/w/{ws}/systems/new",
        system_slug=slug,
        base_revision=base_revision,
        message=first(values, "message"),
        sys={"slug": slug, "name": slug},
        tab="edit",
    )


def _head_revision(db: Session, access: WorkspaceAccess, slug: str) -> SystemRevision:
    """The head revision of a system the caller may see (the edit forms start from it)."""
    return services.system_revision(db, load_system(db, access, slug))


@router.get("/w/{ws}/systems/new")
def new_system(
    request: Request, access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM))
) -> Response:
    return _form_page(request, access, {})


@router.post("/w/{ws}/systems/preview")
def preview_json(
    ws: str,
    request: Request,
    form: FormData = Depends(posted_form),
    principal: Principal = Depends(current_principal),
    db: Session = Depends(get_db),
) -> Response:
    """Threats for the answers so far; read-only, so no write lock, but CSRF like any POST."""
    services.membership(db, principal.user, ws)
    values = form_lists(form)
    check_csrf(request, principal, first(values, "csrf_token"))
    return secure(JSONResponse(preview(form_to_data(values)).as_json()))


def _save_form(
    request: Request, form: FormData, access: WorkspaceAccess, db: Session, slug: str = ""
) -> Response:
    values = form_lists(form)
    action = first(values, "action", "save")
    base_revision = int_or_none(first(values, "base_revision"))
    if action.startswith("add:") or action == "preview":
        return _form_page(
            request,
            access,
            values,
            slug=slug,
            base_revision=base_revision,
            add=action[4:],
            show_preview=True,
        )
    system = services.get_system(db, access.workspace, slug) if slug else None
    base = _parsed(services.system_revision(db, system).yaml_text) if system else None
    checked = check(form_to_data(values, base))
    if checked.system is None:
        return _form_page(
            request,
            access,
            values,
            slug=slug,
            base_revision=base_revision,
            errors=checked.errors,
            problems=checked.problems,
            show_preview=True,
            status=422,
        )
    text = system_yaml(checked.system)
    return _store(
        request,
        access,
        db,
        text,
        first(values, "message"),
        slug,
        base_revision,
        lambda problems, status: _form_page(
            request,
            access,
            values,
            slug=slug,
            base_revision=base_revision,
            problems=problems,
            show_preview=True,
            status=status,
        ),
    )


def _store(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    text: str,
    message: str,
    slug: str,
    base_revision: int | None,
    again: Any,
) -> Response:
    """Create or update through the service; errors re-render the page that was submitted."""
    ws = access.workspace
    try:
        if slug:
            system = services.get_system(db, ws, slug)
            services.update_system(db, access.actor, ws, system, text, base_revision, message)
        else:
            system = services.create_system(db, access.actor, ws, text, message)
        db.commit()
    except Conflict as exc:
        db.rollback()
        return again(  # type: ignore[no-any-return]
            [
                f"{exc.message}. Someone saved this system meanwhile; open it again to see "
                "their version, then re-apply your change."
            ],
            409,
        )
    except InputError as exc:
        db.rollback()
        return again([str(exc)], 422)  # type: ignore[no-any-return]
    return see_other(f"/w/{ws.slug}/systems/{system.slug}", "System saved.")


@router.post("/w/{ws}/systems/new")
def create_from_form(
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    return _save_form(request, form, access, db)


@router.get("/w/{ws}/systems/{slug}/edit")
def edit_form(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM)),
    db: Session = Depends(get_db),
) -> Response:
    rev = _head_revision(db, access, slug)
    values = data_to_form(_parsed(rev.yaml_text) or {})
    return _form_page(request, access, values, slug=slug, base_revision=rev.number)


@router.post("/w/{ws}/systems/{slug}/edit")
def update_from_form(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    load_system(db, access, slug)
    return _save_form(request, form, access, db, slug)


def _parsed(text: str) -> dict[str, Any] | None:
    try:
        data = load_yaml_text(text, "system.yaml").data
    except InputError:
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------- YAML editor, upload, download


def located_problems(exc: InputError) -> list[dict[str, Any]]:
    """The loader's located errors as (line, field, message) rows; 'also' lines included."""
    lines = str(exc.message).split("\n")
    head = lines[0]
    message = head.split(": ", 2)[-1] if (exc.line or exc.field) else head
    rows = [{"line": exc.line, "field": exc.field, "message": message}]
    for extra in lines[1:]:
        found = _ALSO.match(extra)
        if found:
            line = int(found.group(1)) if found.group(1).isdigit() else None
            rows.append({"line": line, "field": found.group(2), "message": found.group(3)})
    if exc.hint:
        rows.append({"line": None, "field": None, "message": f"hint: {exc.hint}"})
    return rows


def _yaml_page(
    request: Request,
    access: WorkspaceAccess,
    text: str,
    slug: str = "",
    base_revision: int | None = None,
    problems: list[dict[str, Any]] | None = None,
    message: str = "",
    status: int = 200,
) -> Response:
    ws = access.workspace.slug
    base = f"/w/{ws}/systems/{slug}" if slug else f"/w/{ws}/systems/new"
    problems = problems or []
    return render_page(
        "pages/yaml_editor.html.j2",
        status_code=status,
        **base_context(request, access, "new" if not slug else ""),
        text=text,
        system_slug=slug,
        base_revision=base_revision,
        problems=problems,
        numbered=text.split("\n") if problems else [],
        bad_lines={p["line"] for p in problems if p["line"]},
        action=f"{base}/yaml",
        upload_action=f"{base}/upload",
        message=message,
        sys={"slug": slug, "name": slug},
        tab="yaml",
    )


def _save_text(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    text: str,
    message: str,
    slug: str,
    base_revision: int | None,
) -> Response:
    try:
        parse_system_text(text)
    except InputError as exc:
        return _yaml_page(
            request, access, text, slug, base_revision, located_problems(exc), message, 422
        )
    return _store(
        request,
        access,
        db,
        text,
        message,
        slug,
        base_revision,
        lambda problems, status: _yaml_page(
            request,
            access,
            text,
            slug,
            base_revision,
            [{"line": None, "field": None, "message": p} for p in problems],
            message,
            status,
        ),
    )


@router.get("/w/{ws}/systems/new/yaml")
def new_yaml(
    request: Request, access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM))
) -> Response:
    return _yaml_page(request, access, "")


@router.post("/w/{ws}/systems/new/yaml")
def create_from_yaml(
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    text = form.get("yaml")
    values = form_lists(form)
    return _save_text(request, access, db, _as_text(text), first(values, "message"), "", None)


@router.get("/w/{ws}/systems/{slug}/yaml")
def edit_yaml(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM)),
    db: Session = Depends(get_db),
) -> Response:
    rev = _head_revision(db, access, slug)
    return _yaml_page(request, access, rev.yaml_text, slug, rev.number)


@router.post("/w/{ws}/systems/{slug}/yaml")
def update_from_yaml(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    load_system(db, access, slug)
    values = form_lists(form)
    return _save_text(
        request,
        access,
        db,
        _as_text(form.get("yaml")),
        first(values, "message"),
        slug,
        int_or_none(first(values, "base_revision")),
    )


def _as_text(value: Any) -> str:
    """Textareas submit CRLF line ends (HTML forms do); the stored YAML keeps LF."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _uploaded_text(form: FormData) -> tuple[str | None, str]:
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return None, "choose a YAML file to upload"
    raw = upload.file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        return None, f"file larger than {MAX_UPLOAD} bytes"
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "the file is not UTF-8 text"


@router.post("/w/{ws}/systems/new/upload")
def create_from_upload(
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    text, problem = _uploaded_text(form)
    if text is None:
        return _yaml_page(
            request,
            access,
            "",
            "",
            None,
            [{"line": None, "field": None, "message": problem}],
            "",
            422,
        )
    return _save_text(request, access, db, text, "uploaded", "", None)


@router.post("/w/{ws}/systems/{slug}/upload")
def update_from_upload(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    text, problem = _uploaded_text(form)
    # the revision the editor showed: an upload over a newer save is a conflict, not an overwrite
    base_revision = int_or_none(first(form_lists(form), "base_revision"))
    if text is None:
        return _yaml_page(
            request,
            access,
            "",
            slug,
            base_revision or system.system_head,
            [{"line": None, "field": None, "message": problem}],
            "",
            422,
        )
    return _save_text(request, access, db, text, "uploaded", slug, base_revision)


@router.get("/w/{ws}/systems/{slug}/system.yaml")
def download_yaml(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = load_system(db, access, slug)
    rev = services.system_revision(db, system, int_or_none(request.query_params.get("rev")))
    response = Response(rev.yaml_text.encode("utf-8"), media_type="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{system.slug}.yaml"'
    return secure(response)
