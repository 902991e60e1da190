"""Use cases of the team server: what the REST API, the web pages and the CLI all call.

Each write runs its analysis first (in the process pool of `aisec.store.pool`, outside the
write lock and off the server's GIL), then takes the global write lock only to check that the
heads it analysed are still current, append the immutable revisions with the stored result and
append one audit link, all in one transaction: either everything of a save is committed or
nothing is. If someone saved in between, the analysis is re-run on the new head.
Authorisation of the role is the caller's job (`aisec.web.auth`); rules that depend on the
content (a contributor's controls, a decision's approver) are checked here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from aisec.common.errors import InputError
from aisec.store import audit, pool
from aisec.store.access import Actor, Conflict, Forbidden, NotFound, Role
from aisec.store.assessing import Outcome, Summary, parse_evidence_bytes, stored_payload
from aisec.store.db import lock_writes
from aisec.store.decision_text import with_decision as decision_yaml
from aisec.store.diff import diff_payloads
from aisec.store.models import (
    AssessmentResultBlob,
    AssessmentRevision,
    Evidence,
    Membership,
    System,
    SystemRevision,
    SystemShare,
    User,
    Workspace,
    utcnow,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


# ---------------------------------------------------------------- workspaces and members


def create_workspace(s: Session, actor: Actor, slug: str, name: str) -> Workspace:
    if not SLUG.match(slug):
        raise InputError(f"invalid workspace id {slug!r}", hint="lower-case letters, digits, '-'")
    if s.scalar(select(Workspace).where(Workspace.slug == slug)) is not None:
        raise InputError(f"workspace {slug!r} already exists")
    ws = Workspace(slug=slug, name=name or slug)
    s.add(ws)
    s.flush()
    if actor.user_id is not None:
        s.add(Membership(workspace_id=ws.id, user_id=actor.user_id, role=Role.ADMIN.value))
    _audit(s, actor, ws, "workspace.create", "workspace", slug)
    return ws


def get_workspace(s: Session, slug: str) -> Workspace:
    ws = s.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise NotFound(f"no workspace {slug!r}")
    return ws


def membership(s: Session, user: User, slug: str) -> tuple[Workspace, Membership | None]:
    """The workspace if the user belongs to it (site admins see all); else NotFound."""
    ws = get_workspace(s, slug)
    member = s.scalar(
        select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == user.id)
    )
    if member is None and not user.is_admin:
        raise NotFound(f"no workspace {slug!r}")
    return ws, member


def workspaces_of(s: Session, user: User) -> list[tuple[Workspace, str]]:
    if user.is_admin:
        rows = s.scalars(select(Workspace).order_by(Workspace.slug)).all()
        roles = {
            m.workspace_id: m.role
            for m in s.scalars(select(Membership).where(Membership.user_id == user.id))
        }
        return [(w, roles.get(w.id, Role.ADMIN.value)) for w in rows]
    stmt = (
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id)
        .order_by(Workspace.slug)
    )
    return [(w, r) for w, r in s.execute(stmt).all()]


def set_member(
    s: Session, actor: Actor, ws: Workspace, username: str, role: Role, granted: str | None
) -> Membership:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise InputError(f"no user {username!r}", hint="create it with 'aisec user add'")
    if role is Role.CONTRIBUTOR and granted not in ("vendor", "integrator"):
        raise InputError("a contributor needs granted_role vendor or integrator")
    member = s.scalar(
        select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == user.id)
    )
    if member is None:
        member = Membership(workspace_id=ws.id, user_id=user.id, role=role.value)
        s.add(member)
    member.role = role.value
    member.granted_role = granted if role is Role.CONTRIBUTOR else None
    _audit(
        s,
        actor,
        ws,
        "member.set",
        "user",
        username,
        detail={"role": role.value, "granted_role": granted},
    )
    return member


def remove_member(s: Session, actor: Actor, ws: Workspace, username: str) -> None:
    user = s.scalar(select(User).where(User.username == username))
    member = user and s.scalar(
        select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == user.id)
    )
    if not member:
        raise NotFound(f"{username!r} is not a member")
    s.delete(member)
    _audit(s, actor, ws, "member.remove", "user", username)


def _share(s: Session, system_id: int, user_id: int) -> SystemShare | None:
    """The share of one system with one user, if any."""
    return s.scalar(
        select(SystemShare).where(
            SystemShare.system_id == system_id, SystemShare.user_id == user_id
        )
    )


def share_system(s: Session, actor: Actor, ws: Workspace, system: System, username: str) -> None:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise InputError(f"no user {username!r}")
    if _share(s, system.id, user.id) is None:
        s.add(SystemShare(system_id=system.id, user_id=user.id))
    _audit(s, actor, ws, "system.share", "system", system.slug, detail={"user": username})


def unshare_system(s: Session, actor: Actor, ws: Workspace, system: System, username: str) -> None:
    """End a share: the contributor stops seeing the system at once (404 from then on)."""
    user = s.scalar(select(User).where(User.username == username))
    share = _share(s, system.id, user.id) if user else None
    if share is None:
        raise NotFound(f"system {system.slug!r} is not shared with {username!r}")
    s.delete(share)
    _audit(s, actor, ws, "system.unshare", "system", system.slug, detail={"user": username})


# ---------------------------------------------------------------- systems


def visible_systems(s: Session, ws: Workspace, user: User, member: Membership | None) -> Any:
    stmt = select(System).where(System.workspace_id == ws.id)
    if member is not None and member.role == Role.CONTRIBUTOR.value and not user.is_admin:
        shared = select(SystemShare.system_id).where(SystemShare.user_id == user.id)
        stmt = stmt.where(System.id.in_(shared))
    return stmt


def get_system(
    s: Session, ws: Workspace, slug: str, user: User | None = None, member: Membership | None = None
) -> System:
    system = s.scalar(select(System).where(System.workspace_id == ws.id, System.slug == slug))
    if system is None:
        raise NotFound(f"no system {slug!r} in workspace {ws.slug!r}")
    if user is not None and member is not None and member.role == Role.CONTRIBUTOR.value:
        if _share(s, system.id, user.id) is None and not user.is_admin:
            raise NotFound(f"no system {slug!r} in workspace {ws.slug!r}")
    return system


def system_revision(s: Session, system: System, number: int | None = None) -> SystemRevision:
    row = s.scalar(
        select(SystemRevision).where(
            SystemRevision.system_id == system.id,
            SystemRevision.number == (number or system.system_head),
        )
    )
    if row is None:
        raise NotFound(f"no revision {number} of system {system.slug!r}")
    return row


def assessment_revision(
    s: Session, system: System, number: int | None = None
) -> AssessmentRevision:
    row = s.scalar(
        select(AssessmentRevision).where(
            AssessmentRevision.system_id == system.id,
            AssessmentRevision.number == (number or system.assessment_head),
        )
    )
    if row is None:
        raise NotFound(f"no assessment revision {number} of system {system.slug!r}")
    return row


def evidence_of(
    s: Session, system: System, ids: list[int] | None = None, content: bool = True
) -> list[Evidence]:
    """Evidence rows of a system (`content=False`: without the report bytes, for writers that
    only record which evidence a revision used)."""
    stmt = select(Evidence).where(Evidence.system_id == system.id).order_by(Evidence.id)
    if not content:
        stmt = stmt.options(defer(Evidence.content))
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(Evidence.id.in_(ids))
    return list(s.scalars(stmt))


def _evidence_inputs(rows: list[Evidence]) -> list[tuple[str, bytes]]:
    return [(e.filename, e.content) for e in rows]


def create_system(
    s: Session,
    actor: Actor,
    ws: Workspace,
    yaml_text: str,
    message: str = "",
    assessment_text: str | None = None,
) -> System:
    """A new system from its YAML (and optionally its assessment YAML): revision 1 of both."""
    outcome = pool.summarise(yaml_text, assessment_text)
    slug = outcome.system_id
    lock_writes(s)
    if s.scalar(select(System).where(System.workspace_id == ws.id, System.slug == slug)):
        raise InputError(
            f"system {slug!r} already exists in workspace {ws.slug!r}",
            hint="update it with PUT .../systems/{id}",
        )
    system = System(workspace_id=ws.id, slug=slug, name=outcome.system_name, owner=outcome.owner)
    s.add(system)
    s.flush()
    _add_system_revision(s, actor, system, yaml_text, message or "created")
    _add_assessment_revision(
        s, actor, ws, system, assessment_text, [], outcome, message or "created", "created"
    )
    _audit(s, actor, ws, "system.create", "system", slug, after=audit.digest(yaml_text))
    return system


def update_system(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    yaml_text: str,
    base_revision: int | None,
    message: str = "",
) -> SystemRevision:
    while True:
        heads = (system.system_head, system.assessment_head)
        if base_revision is not None and base_revision != system.system_head:
            raise Conflict(
                f"system {system.slug!r} is at revision {system.system_head}, not {base_revision}",
                head=system.system_head,
            )
        before = system_revision(s, system)
        head = assessment_revision(s, system)
        evidence = evidence_of(s, system, _ids(head.evidence_ids))
        outcome = pool.summarise(yaml_text, head.yaml_text, _evidence_inputs(evidence))
        if outcome.system_id != system.slug:
            raise InputError(
                f"the YAML describes system {outcome.system_id!r}, not {system.slug!r}", field="id"
            )
        if _lock_heads(s, system, heads):
            break
    system.name, system.owner = outcome.system_name, outcome.owner
    rev = _add_system_revision(s, actor, system, yaml_text, message or "system updated")
    _add_assessment_revision(
        s,
        actor,
        ws,
        system,
        head.yaml_text,
        evidence,
        outcome,
        message or "system updated",
        "system change",
    )
    _audit(
        s,
        actor,
        ws,
        "system.update",
        "system",
        system.slug,
        before=before.sha256,
        after=rev.sha256,
        detail={"revision": rev.number},
    )
    return rev


def save_assessment(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    yaml_text: str,
    base_revision: int | None,
    message: str = "",
    member: Membership | None = None,
) -> AssessmentRevision:
    """A new assessment revision; 409 (Conflict with the diff) if someone saved in between.
    The analysis runs before the write lock is taken; the heads are checked again under it."""
    return _save(
        s,
        actor,
        ws,
        system,
        lambda _head_text: yaml_text,
        base_revision,
        message or "assessment saved",
        member,
    )


def _save(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    make_text: Callable[[str | None], str],
    base_revision: int | None,
    message: str,
    member: Membership | None,
) -> AssessmentRevision:
    """Save `make_text(head text)` as the next assessment revision: analyse, then lock and
    check the heads; when they moved, rebuild the text from the new head and analyse again."""
    while True:
        heads = (system.system_head, system.assessment_head)
        head = assessment_revision(s, system)
        if base_revision is not None and base_revision != system.assessment_head:
            base = assessment_revision(s, system, base_revision)
            raise Conflict(
                f"assessment of {system.slug!r} is at revision {system.assessment_head}, "
                f"not {base_revision}: reload, merge and save again",
                head=system.assessment_head,
                diff=diff_payloads(stored_payload(base.result), stored_payload(head.result)),
            )
        yaml_text = _check_decisions(actor, head.yaml_text, make_text(head.yaml_text), member)
        if member is not None and member.role == Role.CONTRIBUTOR.value:
            _check_contributor(head.yaml_text, yaml_text, member.granted_role or "")
        evidence = evidence_of(s, system, _ids(head.evidence_ids))
        sysrev = system_revision(s, system)
        outcome = pool.summarise(sysrev.yaml_text, yaml_text, _evidence_inputs(evidence))
        if _lock_heads(s, system, heads):
            break  # else: someone saved meanwhile; check again (now under the lock)
    rev = _add_assessment_revision(
        s, actor, ws, system, yaml_text, evidence, outcome, message, "assessment"
    )
    _audit(
        s,
        actor,
        ws,
        "assessment.save",
        "assessment",
        system.slug,
        before=head.sha256,
        after=rev.sha256,
        detail={"revision": rev.number},
    )
    return rev


def reassess_inputs(
    s: Session, system: System
) -> tuple[int, int, str, str | None, list[tuple[str, bytes]]]:
    """(system head, assessment head, system text, assessment text, evidence) to re-run."""
    head = assessment_revision(s, system)
    evidence = evidence_of(s, system, _ids(head.evidence_ids))
    return (
        system.system_head,
        system.assessment_head,
        system_revision(s, system).yaml_text,
        head.yaml_text,
        _evidence_inputs(evidence),
    )


def reassess(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    label: str = "",
    precomputed: tuple[int, int, Summary] | None = None,
) -> AssessmentRevision:
    """Same inputs, current catalogue: a new labelled revision (old results stay as they were).
    `precomputed` (system head, assessment head, summary) is used when the heads still match."""
    from aisec.catalog import default_catalog

    while True:
        heads = (system.system_head, system.assessment_head)
        head = assessment_revision(s, system)
        reuse = precomputed is not None and precomputed[:2] == heads
        evidence = evidence_of(s, system, _ids(head.evidence_ids), content=not reuse)
        if precomputed and reuse:
            outcome: Outcome | Summary = precomputed[2]
        else:
            outcome = pool.summarise(
                system_revision(s, system).yaml_text, head.yaml_text, _evidence_inputs(evidence)
            )
        if _lock_heads(s, system, heads):
            break
    version = default_catalog().version
    rev = _add_assessment_revision(
        s,
        actor,
        ws,
        system,
        head.yaml_text,
        evidence,
        outcome,
        label or f"re-assessed under catalogue {version}".strip(),
        "re-assessment",
    )
    _audit(
        s,
        actor,
        ws,
        "assessment.reassess",
        "assessment",
        system.slug,
        before=head.sha256,
        after=rev.sha256,
        detail={"revision": rev.number},
    )
    return rev


def upload_evidence(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    filename: str,
    raw: bytes,
    message: str = "",
) -> tuple[Evidence, AssessmentRevision]:
    """Store the report (hash, size, tool, subject) and re-assess with it: a new revision."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", filename.rsplit("/", 1)[-1])[:200] or "evidence.json"
    report = parse_evidence_bytes(raw, name)
    while True:  # analyse first, then lock and check nobody saved meanwhile
        heads = (system.system_head, system.assessment_head)
        head = assessment_revision(s, system)
        evidence = evidence_of(s, system, _ids(head.evidence_ids))
        outcome = pool.summarise(
            system_revision(s, system).yaml_text,
            head.yaml_text,
            [*_evidence_inputs(evidence), (name, raw)],
        )
        if _lock_heads(s, system, heads):
            break
    row = Evidence(
        system_id=system.id,
        filename=name,
        sha256=audit.digest(raw),
        size=len(raw),
        tool=report.tool[:200],
        tool_version=report.tool_version[:100],
        subject=report.subject[:1000],
        uploader_id=actor.user_id,
        content=raw,
    )
    s.add(row)
    s.flush()
    evidence = [*evidence, row]
    rev = _add_assessment_revision(
        s,
        actor,
        ws,
        system,
        head.yaml_text,
        evidence,
        outcome,
        message or f"evidence {name} from {report.tool}",
        "evidence",
    )
    _audit(
        s,
        actor,
        ws,
        "evidence.upload",
        "evidence",
        str(row.id),
        after=row.sha256,
        detail={"system": system.slug, "tool": row.tool, "size": row.size, "revision": rev.number},
    )
    return row, rev


@dataclass(frozen=True)
class DecisionInput:
    threat: str
    treatment: str
    component: str | None = None
    justification: str | None = None
    review_by: dt.date | None = None
    risk_owner: str | None = None
    evidence: tuple[str, ...] = ()
    transferred_to: str | None = None


def record_decision(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    decision: DecisionInput,
    base_revision: int | None = None,
    member: Membership | None = None,
) -> AssessmentRevision:
    """Write the decision into the assessment YAML with the approver taken from the session.
    `member` (the caller's membership) applies the risk-owner assignment rule. The text is
    rebuilt from whatever head the save finally lands on, so no concurrent save is lost."""
    entry: dict[str, Any] = {
        "threat": decision.threat,
        "component": decision.component,
        "treatment": decision.treatment,
        "risk_owner": decision.risk_owner or actor.name,
        "decided_by": actor.name,
        "decided_on": utcnow().date().isoformat(),
    }
    for key in ("justification", "transferred_to"):
        if getattr(decision, key):
            entry[key] = getattr(decision, key)
    if decision.review_by:
        entry["review_by"] = decision.review_by.isoformat()
    if decision.evidence:
        entry["evidence"] = list(decision.evidence)
    entry = {k: v for k, v in entry.items() if v is not None}

    def with_decision(head_text: str | None) -> str:
        return decision_yaml(head_text, system.slug, entry)

    return _save(
        s,
        actor,
        ws,
        system,
        with_decision,
        base_revision,
        f"decision: {decision.treatment} {decision.threat}",
        member,
    )


# ---------------------------------------------------------------- rules on content


def _decisions_by_key(text: str | None) -> dict[tuple[str, str | None], dict[str, Any]]:
    data = (yaml.safe_load(text) if text else None) or {}
    items = data.get("decisions") if isinstance(data, dict) else None
    return {
        (str(d.get("threat")), d.get("component")): d
        for d in (items if isinstance(items, list) else [])
        if isinstance(d, dict)
    }


def _check_decisions(
    actor: Actor, old_text: str | None, new_text: str, member: Membership | None
) -> str:
    """A new or changed decision must be decided by the saving user (name from the session)."""
    old, new = _decisions_by_key(old_text), _decisions_by_key(new_text)
    changed = [k for k, d in new.items() if old.get(k) != d]
    if not changed:
        return new_text
    may_decide = (
        actor.site_admin
        or member is None
        or member.role in (Role.ADMIN.value, Role.RISK_OWNER.value)
    )
    if not may_decide:
        raise Forbidden("only a risk owner or a workspace admin records risk decisions")
    me = (actor.name, actor.username)
    for key in changed:
        by = str(new[key].get("decided_by", ""))
        if by not in me:
            raise Forbidden(
                f"decision on {key[0]} names decided_by {by!r}; it must be you ({actor.name!r})"
            )
    if member is not None and member.role == Role.RISK_OWNER.value and not actor.site_admin:
        mine = {actor.name.casefold(), actor.username.casefold()}
        _check_assignment(mine, old, new, [*changed, *(k for k in old if k not in new)])
    return new_text


def _check_assignment(
    me: set[str],
    old: dict[tuple[str, str | None], dict[str, Any]],
    new: dict[tuple[str, str | None], dict[str, Any]],
    keys: list[tuple[str, str | None]],
) -> None:
    """A risk owner decides only risks assigned to them: a risk whose current decision names
    another risk_owner is theirs to decide, and a new decision may not be assigned to someone
    else (an admin or the named owner reassigns). Unassigned risks may be taken on."""
    for key in keys:
        where = f"{key[0]}" + (f" on {key[1]}" if key[1] else "")
        owner = str((old.get(key) or {}).get("risk_owner") or "")
        if owner and owner.casefold() not in me:
            raise Forbidden(f"the risk {where} is assigned to {owner!r}, not to you")
        if key in new:
            named = str(new[key].get("risk_owner") or "")
            if named and named.casefold() not in me:
                raise Forbidden(
                    f"you may not assign the risk {where} to {named!r}: a risk owner decides "
                    "only risks assigned to them"
                )


def _check_contributor(old_text: str | None, new_text: str, granted: str) -> None:
    """A contributor changes only controls whose role is the one granted (or shared)."""
    from aisec.catalog import default_catalog

    old = (yaml.safe_load(old_text) if old_text else None) or {}
    new = yaml.safe_load(new_text) or {}
    if not isinstance(new, dict):
        raise InputError("expected a mapping")
    rest_old = {k: v for k, v in old.items() if k != "controls"}
    rest_new = {k: v for k, v in new.items() if k != "controls"}
    if rest_old and rest_old != rest_new:
        raise Forbidden("a contributor may change only the controls of their role")
    controls = default_catalog().controls
    oc, nc = old.get("controls") or {}, new.get("controls") or {}
    for cid in set(oc) | set(nc):
        if oc.get(cid) == nc.get(cid):
            continue
        state = nc.get(cid) or oc.get(cid) or {}
        role = (state.get("role") if isinstance(state, dict) else None) or (
            str(controls[cid].role) if cid in controls else ""
        )
        if role not in (granted, "shared"):
            raise Forbidden(f"control {cid!r} belongs to the {role} role, not {granted}")


# ---------------------------------------------------------------- internals


def _lock_heads(s: Session, system: System, heads: tuple[int, int]) -> bool:
    """Take the global write lock (a no-op if held) and tell whether the system's heads are
    still those the analysis was computed from: reads never wait behind an analysis."""
    lock_writes(s)
    s.refresh(system)
    return (system.system_head, system.assessment_head) == heads


def _ids(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def _add_system_revision(
    s: Session, actor: Actor, system: System, text: str, message: str
) -> SystemRevision:
    system.system_head += 1
    rev = SystemRevision(
        system_id=system.id,
        number=system.system_head,
        yaml_text=text,
        sha256=audit.digest(text),
        author_id=actor.user_id,
        message=message[:500],
    )
    s.add(rev)
    s.flush()
    return rev


def _add_assessment_revision(
    s: Session,
    actor: Actor,
    ws: Workspace,
    system: System,
    text: str | None,
    evidence: list[Evidence],
    outcome: Outcome | Summary,
    message: str,
    label: str,
) -> AssessmentRevision:
    done = outcome.summary if isinstance(outcome, Outcome) else outcome
    system.assessment_head += 1
    rev = AssessmentRevision(
        system_id=system.id,
        number=system.assessment_head,
        system_revision=system.system_head,
        yaml_text=text,
        sha256=audit.digest(text or ""),
        evidence_ids=",".join(str(e.id) for e in evidence),
        author_id=actor.user_id,
        message=message[:500],
        label=label[:200],
        catalog_version=done.catalog_version,
        residual_sum=done.residual_sum,
        inherent_sum=done.inherent_sum,
        max_residual=done.max_residual,
        above_acceptance=done.above_acceptance,
        readiness=done.readiness,
        projection=done.projection or None,
    )
    s.add(rev)
    s.flush()
    s.add(AssessmentResultBlob(revision_id=rev.id, result=done.blob))
    return rev


def _audit(
    s: Session,
    actor: Actor,
    ws: Workspace | None,
    action: str,
    otype: str,
    oid: str,
    before: str = "",
    after: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    audit.append(
        s,
        actor=actor.username,
        via=actor.via,
        workspace=ws.slug if ws else "",
        action=action,
        object_type=otype,
        object_id=oid,
        before=before,
        after=after,
        detail=detail,
    )


def count_systems(s: Session, ws: Workspace) -> int:
    return int(s.scalar(select(func.count(System.id)).where(System.workspace_id == ws.id)) or 0)
