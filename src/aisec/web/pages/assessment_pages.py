# ruff: noqa: B008  (FastAPI declares dependencies as Depends() defaults)
"""Assessment work: the statement of applicability as an editable table (with bulk edits and
optimistic concurrency) and risk decisions, both saved as new assessment revisions through
`store.services` exactly as the REST API saves them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from aisec.common.errors import InputError
from aisec.store import services
from aisec.store.access import Action, Conflict, Forbidden
from aisec.web.auth import WorkspaceAccess, get_db, require
from aisec.web.pages.common import (
    base_context,
    first,
    form_lists,
    int_or_none,
    posted_form,
    see_other,
)
from aisec.web.pages.errors import PageRoute
from aisec.web.pages.loading import result_of
from aisec.web.pages.portfolio import Row, summarise
from aisec.web.pages.render import render_page
from aisec.web.pages.soa import (
    ROLES,
    STATUSES,
    EditError,
    apply_edits,
    assessment_yaml,
    edited_values,
    rows,
)
from aisec.web.pages.system_pages import load_system, system_view

router = APIRouter(include_in_schema=False, route_class=PageRoute)
P = "/w/{ws}/systems/{slug}"


def _soa_page(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    slug: str,
    *,
    values: dict[str, list[str]] | None = None,
    problems: list[str] | None = None,
    conflict: Any = None,
    status: int = 200,
    mine: list[str] | None = None,
) -> Response:
    system = load_system(db, access, slug)
    rev = services.assessment_revision(db, system)
    result = result_of(db, rev)
    granted = access.member.granted_role if access.member else None
    contributor = access.role.value == "contributor"
    return render_page(
        "pages/soa.html.j2",
        status_code=status,
        **base_context(request, access, "portfolio"),
        sys=system_view(system, rev),
        tab="assessment",
        r=result,
        rows=rows(result.controls, granted if contributor else None),
        statuses=STATUSES,
        roles=ROLES,
        values=values or {},
        problems=problems or [],
        conflict=conflict,
        mine=set(mine or []),
        base_revision=int_or_none(first(values, "base_revision")) if values else rev.number,
        head=rev.number,
    )


@router.get(P + "/assessment")
def soa_page(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    return _soa_page(request, access, db, slug)


@router.post(P + "/assessment")
def soa_save(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.EDIT_ASSESSMENT, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    values = form_lists(form)
    system = load_system(db, access, slug)
    head = services.assessment_revision(db, system)
    base_revision = int_or_none(first(values, "base_revision"))
    # Apply the edits to the revision the user edited, so a conflict shows their change intact.
    base = head
    if base_revision is not None and base_revision != head.number:
        base = services.assessment_revision(db, system, base_revision)
    result = result_of(db, base)
    data = (yaml.safe_load(base.yaml_text) if base.yaml_text else None) or {"system": slug}
    granted = access.member.granted_role if access.member else None
    try:
        new, changed = apply_edits(
            data,
            values,
            {c.id: c for c in result.controls},
            granted if access.role.value == "contributor" else None,
        )
    except EditError as exc:
        db.rollback()
        return _soa_page(request, access, db, slug, values=values, problems=[str(exc)], status=422)
    if not changed:
        return see_other(f"/w/{access.workspace.slug}/systems/{slug}/assessment", "No change.")
    message = first(values, "message") or f"controls: {', '.join(changed[:8])}"
    try:
        services.save_assessment(
            db,
            access.actor,
            access.workspace,
            system,
            assessment_yaml(new),
            base.number,  # the revision edited: a save that landed meanwhile is a conflict
            message,
            access.member,
        )
        db.commit()
    except Conflict as exc:
        db.rollback()
        carried = edited_values(new, changed, {c.id: c for c in result.controls})
        carried["message"] = values.get("message", [])
        return _soa_page(
            request,
            access,
            db,
            slug,
            values=carried,
            conflict=exc,
            status=409,
            mine=changed,
        )
    except (InputError, Forbidden) as exc:
        db.rollback()
        return _soa_page(request, access, db, slug, values=values, problems=[str(exc)], status=422)
    return see_other(
        f"/w/{access.workspace.slug}/systems/{slug}/assessment",
        f"Saved: {len(changed)} control(s) changed; residual risk and roadmap updated.",
    )


@router.get(P + "/decisions")
def system_decisions(
    slug: str,
    request: Request,
    access: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    return _decisions_page(request, access, db, slug)


def _decisions_page(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    slug: str,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The system's decisions; `failed` (risk key, message, the values entered) re-opens the
    refused form in place with what the user typed, so nothing has to be entered again."""
    system = load_system(db, access, slug)
    rev = services.assessment_revision(db, system)
    result = result_of(db, rev)
    today = dt.datetime.now(dt.UTC).date()
    summary = summarise(result, today)
    row = Row(system.slug, rev.number, rev.created_at, summary)
    if failed is not None:  # shown on its form if the risk is listed, else above the list
        failed["inline"] = any(d.key == failed["key"] for d in summary.open_decisions)
    return render_page(
        "pages/decisions.html.j2",
        status_code=status,
        **base_context(request, access, "decisions"),
        items=[(row, d) for d in sorted(summary.open_decisions, key=lambda d: -d.residual)],
        total=len(summary.open_decisions),
        scope="system",
        owner="",
        expiring=[(system.slug, k, w) for k, w in summary.expiring],
        today=today,
        single=system_view(system, rev),
        decided=[r for r in result.risks if r.decision is not None],
        failed=failed,
    )


@router.post(P + "/decisions")
def decide(
    slug: str,
    request: Request,
    form: FormData = Depends(posted_form),
    access: WorkspaceAccess = Depends(require(Action.DECIDE, lock=False)),
    db: Session = Depends(get_db),
) -> Response:
    """Record a treatment decision in the signed-in user's name (the service takes the approver
    from the session). A demonstrated threat can be accepted only naming its evidence."""
    values = form_lists(form)
    system = load_system(db, access, slug)
    back = first(values, "back") or f"/w/{access.workspace.slug}/systems/{slug}/decisions"
    if not back.startswith("/w/"):
        back = f"/w/{access.workspace.slug}/systems/{slug}/decisions"
    treatment = first(values, "treatment")
    review = first(values, "review_by")
    try:
        review_by = dt.date.fromisoformat(review) if review else None
    except ValueError:
        return _decision_error(
            request, access, db, slug, values, f"review date {review!r} is not YYYY-MM-DD"
        )
    evidence = tuple(v.strip() for v in values.get("evidence", []) if v.strip())
    threat, component = first(values, "threat"), first(values, "component") or None
    result = result_of(db, services.assessment_revision(db, system))
    risk = next(
        (
            r
            for r in result.risks
            if r.threat_id == threat and r.component == (component or r.component)
        ),
        None,
    )
    if risk is None:
        return _decision_error(
            request, access, db, slug, values, f"no risk {threat}@{component} here"
        )
    if treatment == "accept" and risk.demonstrated_by and not evidence:
        return _decision_error(
            request,
            access,
            db,
            slug,
            values,
            "this threat was demonstrated by evidence; an acceptance must name that evidence "
            f"({', '.join(risk.demonstrated_by)})",
        )
    decision = services.DecisionInput(
        threat=threat,
        treatment=treatment,
        component=component,
        justification=first(values, "justification") or None,
        review_by=review_by,
        risk_owner=first(values, "risk_owner") or None,
        evidence=evidence,
        transferred_to=first(values, "transferred_to") or None,
    )
    try:
        services.record_decision(
            db,
            access.actor,
            access.workspace,
            system,
            decision,
            int_or_none(first(values, "base_revision")),
            access.member,
        )
        db.commit()
    except Conflict as exc:
        db.rollback()
        return _decision_error(request, access, db, slug, values, exc.message, 409)
    except Forbidden as exc:
        db.rollback()
        return _decision_error(request, access, db, slug, values, exc.message, 403)
    except InputError as exc:
        db.rollback()
        return _decision_error(request, access, db, slug, values, str(exc))
    return see_other(back, f"Decision recorded: {treatment} {threat}.")


def _decision_error(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    slug: str,
    values: dict[str, list[str]],
    message: str,
    status: int = 422,
) -> Response:
    """A refused decision is shown on its own form, re-opened with what was entered."""
    threat, component = first(values, "threat"), first(values, "component")
    failed = {
        "key": f"{threat}@{component}" if component else threat,
        "message": f"The decision was not recorded: {message}",
        "values": values,
    }
    return _decisions_page(request, access, db, slug, failed, status)
