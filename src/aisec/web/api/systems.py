# ruff: noqa: B008  (FastAPI declares dependencies as Depends()/Query() defaults)
"""Systems: create/update from YAML, derive, assess, reports, crosswalks, decisions, evidence,
revisions, diff and trend. Every handler is a thin call to `aisec.store.services`/`history`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from aisec.service import ReportFormat
from aisec.store import history, services
from aisec.store.access import Action
from aisec.store.assessing import parse_system_text
from aisec.store.models import Evidence, System, User
from aisec.web.api.schemas import (
    AssessmentIn,
    DecisionIn,
    EvidenceOut,
    ReassessIn,
    RevisionOut,
    SystemIn,
    SystemOut,
    SystemUpdate,
)
from aisec.web.auth import WorkspaceAccess, get_db, require

router = APIRouter(tags=["systems"])
P = "/workspaces/{ws}/systems/{system_id}"
_MEDIA = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.JSON: "application/json",
    ReportFormat.MD: "text/markdown; charset=utf-8",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _system(db: Session, acc: WorkspaceAccess, system_id: str) -> System:
    return services.get_system(db, acc.workspace, system_id, acc.principal.user, acc.member)


def _out(db: Session, system: System) -> SystemOut:
    srev = services.system_revision(db, system)
    arev = services.assessment_revision(db, system)
    return SystemOut(
        id=system.slug,
        name=system.name,
        owner=system.owner,
        system_revision=system.system_head,
        assessment_revision=system.assessment_head,
        yaml=srev.yaml_text,
        assessment_yaml=arev.yaml_text,
        residual_sum=arev.residual_sum,
        risks_above_acceptance=arev.above_acceptance,
        readiness=arev.readiness,
    )


@router.post("/workspaces/{ws}/systems", response_model=SystemOut, status_code=201)
def create_system(
    body: SystemIn,
    acc: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> SystemOut:
    system = services.create_system(
        db, acc.actor, acc.workspace, body.yaml, body.message, body.assessment_yaml
    )
    db.commit()
    return _out(db, system)


@router.get(P, response_model=SystemOut)
def get_system(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> SystemOut:
    return _out(db, _system(db, acc, system_id))


@router.put(P, response_model=SystemOut)
def update_system(
    system_id: str,
    body: SystemUpdate,
    acc: WorkspaceAccess = Depends(require(Action.EDIT_SYSTEM, lock=False)),
    db: Session = Depends(get_db),
) -> SystemOut:
    system = _system(db, acc, system_id)
    services.update_system(
        db, acc.actor, acc.workspace, system, body.yaml, body.base_revision, body.message
    )
    db.commit()
    return _out(db, system)


@router.get(P + "/threats")
def derive(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> list[dict[str, Any]]:
    """Applicable and excluded threats of the head system revision, with the reasons."""
    from aisec.analysis.derive import derive_threats
    from aisec.catalog import default_catalog

    system = parse_system_text(services.system_revision(db, _system(db, acc, system_id)).yaml_text)
    return [d.model_dump(mode="json") for d in derive_threats(default_catalog(), system)]


@router.put(P + "/assessment", response_model=RevisionOut)
def save_assessment(
    system_id: str,
    body: AssessmentIn,
    acc: WorkspaceAccess = Depends(require(Action.EDIT_ASSESSMENT, lock=False)),
    db: Session = Depends(get_db),
) -> RevisionOut:
    system = _system(db, acc, system_id)
    rev = services.save_assessment(
        db,
        acc.actor,
        acc.workspace,
        system,
        body.yaml,
        body.base_revision,
        body.message,
        acc.member,
    )
    db.commit()
    return _rev_out(system, rev)


@router.post(P + "/assess", response_model=RevisionOut, status_code=201)
def reassess(
    system_id: str,
    body: ReassessIn,
    acc: WorkspaceAccess = Depends(require(Action.EDIT_ASSESSMENT, lock=False)),
    db: Session = Depends(get_db),
) -> RevisionOut:
    system = _system(db, acc, system_id)
    rev = services.reassess(db, acc.actor, acc.workspace, system, body.label)
    db.commit()
    return _rev_out(system, rev)


def _rev_out(system: System, rev: Any) -> RevisionOut:
    return RevisionOut(
        system=system.slug,
        number=rev.number,
        system_revision=rev.system_revision,
        message=rev.message,
        label=rev.label,
        catalog_version=rev.catalog_version,
        created_at=rev.created_at,
        yaml=rev.yaml_text,
        residual_sum=rev.residual_sum,
    )


@router.get(P + "/revisions")
def revisions(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> dict[str, list[dict[str, Any]]]:
    return history.revisions(db, _system(db, acc, system_id))


@router.get(P + "/assessments/{number}", response_model=RevisionOut)
def get_revision(
    system_id: str,
    number: int,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> RevisionOut:
    system = _system(db, acc, system_id)
    return _rev_out(system, services.assessment_revision(db, system, number))


@router.get(P + "/systems/{number}")
def get_system_revision(
    system_id: str,
    number: int,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> PlainTextResponse:
    rev = services.system_revision(db, _system(db, acc, system_id), number)
    return PlainTextResponse(rev.yaml_text, media_type="application/yaml")


@router.get(P + "/report")
def report(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
    fmt: ReportFormat = Query(ReportFormat.JSON, alias="format"),
    revision: int | None = Query(None, ge=1),
) -> Response:
    data = history.report(db, _system(db, acc, system_id), fmt, revision)
    headers = (
        {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"}
        if fmt is ReportFormat.HTML
        else {}
    )
    return Response(data, media_type=_MEDIA.get(fmt, "application/octet-stream"), headers=headers)


@router.get(P + "/crosswalks")
def crosswalks(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
    framework: str | None = Query(None, max_length=60),
    revision: int | None = Query(None, ge=1),
) -> Any:
    extras = history.result(db, _system(db, acc, system_id), revision).get("extras") or {}
    items = extras.get("crosswalks") or []
    if framework is None:
        return items
    chosen = [c for c in items if isinstance(c, dict) and c.get("framework") == framework]
    if not chosen:
        raise HTTPException(404, f"no crosswalk for framework {framework!r}")
    return chosen[0]


@router.get(P + "/diff")
def diff(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
    old: int = Query(..., ge=1, alias="from"),
    new: int | None = Query(None, ge=1, alias="to"),
    fmt: str = Query("json", pattern="^(json|md)$", alias="format"),
) -> Any:
    system = _system(db, acc, system_id)
    to = new or system.assessment_head
    if fmt == "md":
        return PlainTextResponse(
            history.diff_md(db, system, old, to), media_type="text/markdown; charset=utf-8"
        )
    return history.diff(db, system, old, to)


@router.get(P + "/trend")
def trend(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> list[dict[str, Any]]:
    return history.trend(db, _system(db, acc, system_id))


@router.post(P + "/decisions", response_model=RevisionOut, status_code=201)
def record_decision(
    system_id: str,
    body: DecisionIn,
    acc: WorkspaceAccess = Depends(require(Action.DECIDE, lock=False)),
    db: Session = Depends(get_db),
) -> RevisionOut:
    system = _system(db, acc, system_id)
    decision = services.DecisionInput(
        threat=body.threat,
        treatment=body.treatment,
        component=body.component,
        justification=body.justification,
        review_by=body.review_by,
        risk_owner=body.risk_owner,
        evidence=tuple(body.evidence),
        transferred_to=body.transferred_to,
    )
    rev = services.record_decision(
        db, acc.actor, acc.workspace, system, decision, body.base_revision, acc.member
    )
    db.commit()
    return _rev_out(system, rev)


@router.get(P + "/decisions")
def list_decisions(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> list[dict[str, Any]]:
    result = history.result_only(db, _system(db, acc, system_id))["result"]
    return [
        {
            "risk": f"{r['threat_id']}@{r['component']}",
            "threat_name": r["threat_name"],
            "residual_band": r["residual_band"],
            "state": r.get("decision_state"),
            "decision": r.get("decision"),
        }
        for r in result.get("risks", [])
    ]


def _evidence_out(
    row: Evidence, users: dict[int | None, str], rev: int | None = None
) -> EvidenceOut:
    return EvidenceOut(
        id=row.id,
        filename=row.filename,
        sha256=row.sha256,
        size=row.size,
        tool=row.tool,
        tool_version=row.tool_version,
        subject=row.subject,
        uploader=users.get(row.uploader_id, "cli"),
        created_at=row.created_at,
        assessment_revision=rev,
    )


@router.post(P + "/evidence", response_model=EvidenceOut, status_code=201)
def upload_evidence(
    system_id: str,
    request: Request,
    file: UploadFile = File(..., description="aisec-evidence/1 JSON"),
    message: str = Form("", max_length=500),
    acc: WorkspaceAccess = Depends(require(Action.UPLOAD_EVIDENCE, lock=False)),
    db: Session = Depends(get_db),
) -> EvidenceOut:
    limit = request.app.state.settings.max_upload_bytes
    raw = file.file.read(limit + 1)
    if len(raw) > limit:
        raise HTTPException(413, f"evidence larger than {limit} bytes")
    system = _system(db, acc, system_id)
    row, rev = services.upload_evidence(
        db, acc.actor, acc.workspace, system, file.filename or "evidence.json", raw, message
    )
    db.commit()
    return _evidence_out(row, {acc.actor.user_id: acc.actor.username}, rev.number)


@router.get(P + "/evidence", response_model=list[EvidenceOut])
def list_evidence(
    system_id: str,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> list[EvidenceOut]:
    rows = services.evidence_of(db, _system(db, acc, system_id))
    ids = {r.uploader_id for r in rows if r.uploader_id is not None}
    users: dict[int | None, str] = (
        {u.id: u.username for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    return [_evidence_out(r, users) for r in rows]


@router.get(P + "/evidence/{evidence_id}")
def download_evidence(
    system_id: str,
    evidence_id: int,
    acc: WorkspaceAccess = Depends(require(Action.READ)),
    db: Session = Depends(get_db),
) -> Response:
    system = _system(db, acc, system_id)
    row = db.get(Evidence, evidence_id)
    if row is None or row.system_id != system.id:
        raise HTTPException(404, "no such evidence")
    return Response(
        row.content,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "X-Content-SHA256": row.sha256,
        },
    )
