"""Migration 0002 moves every revision's result blob into `assessment_results` and back,
byte for byte, on SQLite and PostgreSQL; list reads never load it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from aisec.service import bundled_examples
from aisec.store import history, services
from aisec.store.access import CLI_ACTOR
from aisec.store.assessing import stored_payload, stored_result
from aisec.store.db import alembic_config, make_engine, make_sessionmaker, upgrade, write_session
from aisec.store.models import AssessmentRevision, System, Workspace


def _blobs(engine: sa.Engine, table: str, key: str) -> dict[int, bytes]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {key}, result FROM {table}")).all()  # noqa: S608
    return {int(k): bytes(v) for k, v in rows}


def test_migration_keeps_every_result(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    sid, system_path, assessment_path = next(iter(bundled_examples()))
    text = system_path.read_text()
    assessment = assessment_path.read_text() if assessment_path else None
    with write_session(factory) as s:
        ws = services.create_workspace(s, CLI_ACTOR, "acme", "Acme")
        system = services.create_system(s, CLI_ACTOR, ws, text, "seed", assessment)
        services.reassess(s, CLI_ACTOR, ws, system, "again")
    before = _blobs(engine, "assessment_results", "revision_id")
    assert len(before) == 2
    with factory() as s:
        system = services.get_system(s, s.scalars(sa.select(Workspace)).one(), sid)
        rows = history.portfolio(s, sa.select(System))
        head = services.assessment_revision(s, system)
        assert "result" not in sa.inspect(head).dict  # deferred: list reads never load it
        assert head.result == before[head.id]
        expected = stored_result(head.result)
    assert rows[0]["assessment_revision"] == 2

    engine.dispose()
    command.downgrade(alembic_config(db_url), "0001")
    assert _blobs(engine, "assessment_revisions", "id") == before
    assert "assessment_results" not in sa.inspect(engine).get_table_names()
    command.upgrade(alembic_config(db_url), "head")
    engine.dispose()
    assert _blobs(engine, "assessment_results", "revision_id") == before
    with factory() as s:
        blob = s.scalar(sa.select(AssessmentRevision.result).where(AssessmentRevision.number == 2))
    assert blob is not None and stored_result(blob) == expected
    assert stored_payload(blob)["result"] == stored_payload(before[max(before)])["result"]
