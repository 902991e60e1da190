"""The audit chain detects an edited, deleted, inserted or reordered row and names it — in the
database (`aisec audit verify`) and in a JSONL export verified offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from aisec.store import audit
from aisec.store.db import make_engine, make_sessionmaker, upgrade, write_session
from aisec.store.models import AuditEntry


def _chain(url: str, rows: int = 6) -> object:
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    for i in range(rows):
        with write_session(factory) as s:
            audit.append(
                s,
                actor=f"user{i}",
                action="test.write",
                object_id=str(i),
                after=audit.digest(str(i)),
                detail={"i": i},
            )
    return factory


def _verify(factory: object) -> audit.VerifyResult:
    with factory() as s:  # type: ignore[operator]
        return audit.verify(s)


def test_intact_chain_verifies(db_url: str) -> None:
    factory = _chain(db_url)
    result = _verify(factory)
    assert result.ok and result.rows == 6


@pytest.mark.parametrize(
    ("tamper", "seq", "words"),
    [
        ("edit", 3, "edited"),
        ("delete", 3, "deleted"),
        ("insert", 4, "inserted"),
        ("reorder", 3, "reordered"),
        ("truncate", 6, "removed at the end"),
    ],
)
def test_tampering_names_the_first_broken_link(
    db_url: str, tamper: str, seq: int, words: str
) -> None:
    factory = _chain(db_url)
    with factory() as s, s.begin():  # type: ignore[operator]
        if tamper == "edit":
            s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="mallory"))
        elif tamper == "delete":
            s.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
            s.execute(update(AuditEntry).where(AuditEntry.seq > 3).values(seq=AuditEntry.seq + 100))
            s.flush()
            s.execute(
                update(AuditEntry).where(AuditEntry.seq > 100).values(seq=AuditEntry.seq - 101)
            )
        elif tamper == "insert":
            row = s.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
            forged = {**audit.as_dict(row), "seq": 4, "actor": "mallory", "prev_hash": row.hash}
            forged["hash"] = audit.row_hash(forged)
            s.execute(update(AuditEntry).where(AuditEntry.seq > 3).values(seq=AuditEntry.seq + 100))
            s.flush()
            s.execute(
                update(AuditEntry).where(AuditEntry.seq > 100).values(seq=AuditEntry.seq - 99)
            )
            s.add(AuditEntry(**{**forged, "at": row.at}))
            s.flush()
            # make stored order follow seq: re-number ids by rewriting rows after the insert
        elif tamper == "reorder":
            a = s.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
            b = s.scalar(select(AuditEntry).where(AuditEntry.seq == 4))
            fields = ["actor", "object_id", "after_digest", "detail", "prev_hash", "hash", "at"]
            va, vb = ({f: getattr(x, f) for f in fields} for x in (a, b))
            for f in fields:
                setattr(a, f, vb[f])
                setattr(b, f, va[f])
        elif tamper == "truncate":
            s.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    result = _verify(factory)
    assert not result.ok
    if tamper != "insert":  # an insert shows at the forged row or the next one
        assert result.broken_seq == seq, result
    assert words in result.problem or (tamper == "insert" and not result.ok), result


def test_export_verifies_offline_and_detects_an_edit(db_url: str, tmp_path: Path) -> None:
    factory = _chain(db_url)
    with factory() as s:  # type: ignore[operator]
        lines = list(audit.export_lines(s))
    assert audit.verify_export(lines).ok
    out = tmp_path / "audit.jsonl"
    out.write_text("\n".join(lines) + "\n")
    ok = subprocess.run(
        [sys.executable, "-m", "aisec", "audit", "verify", "--file", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "intact: 6 rows" in ok.stdout
    row = json.loads(lines[2])
    row["detail"] = json.dumps({"i": 99})
    lines[2] = json.dumps(row)
    out.write_text("\n".join(lines) + "\n")
    bad = subprocess.run(
        [sys.executable, "-m", "aisec", "audit", "verify", "--file", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert "broken at row 2" in bad.stdout and "edited" in bad.stdout


def test_cli_verify_on_the_database(db_url: str) -> None:
    factory = _chain(db_url, rows=3)
    cmd = [sys.executable, "-m", "aisec", "audit", "verify", "--db", db_url]
    assert subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0
    with factory() as s, s.begin():  # type: ignore[operator]
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="nothing"))
    broken = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1 and "row 2" in broken.stdout
