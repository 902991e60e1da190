"""Tamper-evident audit trail: every write appends a row whose hash covers the previous hash.

Row hash = SHA-256 over the canonical JSON of (seq, time, actor, via, workspace, action, object,
before/after digests, detail, previous hash). Editing a row breaks its own hash; deleting,
inserting or reordering rows breaks the link of the next one or the sequence; cutting the tail
no longer matches `audit_head`. The same check runs on a JSONL export, offline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aisec.store.models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64
EXPORT_FORMAT = "aisec-audit/1"


def digest(data: bytes | str | None) -> str:
    """SHA-256 of an object's content (before/after digests); '' for nothing."""
    if data is None:
        return ""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def _fields(row: dict[str, Any]) -> list[Any]:
    return [
        row["seq"],
        row["at"],
        row["actor"],
        row["via"],
        row["workspace"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["before_digest"],
        row["after_digest"],
        row["detail"],
        row["prev_hash"],
    ]


def row_hash(row: dict[str, Any]) -> str:
    canonical = json.dumps(_fields(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": _iso(entry.at),
        "actor": entry.actor,
        "via": entry.via,
        "workspace": entry.workspace,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before_digest": entry.before_digest,
        "after_digest": entry.after_digest,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    workspace: str = "",
    via: str = "",
    object_type: str = "",
    object_id: str = "",
    before: str = "",
    after: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one link. The caller holds the write lock (`aisec.store.db.lock_writes`)."""
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        raise RuntimeError("audit_head row missing: run 'aisec db upgrade'")
    at = utcnow()
    row: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": _iso(at),
        "actor": actor,
        "via": via,
        "workspace": workspace,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before_digest": before,
        "after_digest": after,
        "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False),
        "prev_hash": head.hash,
    }
    row["hash"] = row_hash(row)
    entry = AuditEntry(**{**row, "at": at})
    session.add(entry)
    head.seq = row["seq"]
    head.hash = row["hash"]
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    broken_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.rows} rows"
        return f"audit chain broken at row {self.broken_seq}: {self.problem}"


def verify_rows(
    rows: Iterable[dict[str, Any]], head: tuple[int, str] | None = None
) -> VerifyResult:
    """Walk the chain in stored order and name the first link that does not hold."""
    prev = GENESIS
    expected = 1
    count = 0
    for row in rows:
        count += 1
        if row.get("seq") != expected:
            return VerifyResult(
                False,
                count,
                row.get("seq"),
                f"expected sequence number {expected} (a row was deleted, inserted or reordered)",
            )
        if row.get("prev_hash") != prev:
            return VerifyResult(
                False,
                count,
                expected,
                "does not link to the previous row (deleted, inserted or reordered)",
            )
        if row_hash(row) != row.get("hash"):
            return VerifyResult(False, count, expected, "content does not match its hash (edited)")
        prev = str(row["hash"])
        expected += 1
    if head is not None and (head[0] != count or head[1] != prev):
        return VerifyResult(
            False,
            count,
            count + 1 if head[0] > count else head[0],
            f"chain ends at row {count} but the head records row {head[0]} (rows removed at the end)",
        )
    return VerifyResult(True, count)


def iter_rows(session: Session) -> Iterator[dict[str, Any]]:
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    for entry in session.scalars(stmt):
        yield as_dict(entry)


def verify(session: Session) -> VerifyResult:
    head = session.get(AuditHead, 1)
    return verify_rows(iter_rows(session), (head.seq, head.hash) if head else None)


def export_lines(session: Session) -> Iterator[str]:
    """JSONL: a header line with the head, then one row per line (re-verifiable offline)."""
    head = session.get(AuditHead, 1)
    yield json.dumps(
        {
            "format": EXPORT_FORMAT,
            "head_seq": head.seq if head else 0,
            "head_hash": head.hash if head else GENESIS,
        }
    )
    for row in iter_rows(session):
        yield json.dumps(row, ensure_ascii=False)


def verify_export(lines: Iterable[str]) -> VerifyResult:
    rows: list[dict[str, Any]] = []
    head: tuple[int, str] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        data = json.loads(line)
        if number == 1 and data.get("format") == EXPORT_FORMAT:
            head = (int(data["head_seq"]), str(data["head_hash"]))
            continue
        rows.append(data)
    return verify_rows(rows, head)
