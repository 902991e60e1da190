"""The per-revision projection (what the portfolio reads instead of result blobs) and the
analysis process pool: same figures as the stored result, back-filled by migration 0003, and
errors that cross the process boundary with their location and hint intact."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command

from aisec.common.errors import InputError
from aisec.service import bundled_examples
from aisec.store import projection, services
from aisec.store.access import CLI_ACTOR
from aisec.store.assessing import stored_result, summarise_text
from aisec.store.db import alembic_config, make_engine, make_sessionmaker, upgrade, write_session
from aisec.store.models import AssessmentRevision
from aisec.store.pool import AnalysisPool


def _projections(engine: sa.Engine) -> dict[int, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT number, projection FROM assessment_revisions")).all()
    return {int(n): p for n, p in rows}


def test_projection_is_written_with_each_revision_and_back_filled(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    _sid, system_path, assessment_path = next(iter(bundled_examples()))
    assessment = assessment_path.read_text() if assessment_path else None
    with write_session(factory) as s:
        ws = services.create_workspace(s, CLI_ACTOR, "acme", "Acme")
        system = services.create_system(s, CLI_ACTOR, ws, system_path.read_text(), "", assessment)
        services.reassess(s, CLI_ACTOR, ws, system, "again")
    with factory() as s:
        revs = s.scalars(sa.select(AssessmentRevision).order_by(AssessmentRevision.number)).all()
        for rev in revs:
            stored = projection.loads(rev.projection)
            assert stored == json.loads(projection.dumps(stored_result(rev.result)))
            assert stored["max_residual"] == rev.max_residual
            assert stored["residual_sum"] == rev.residual_sum
    before = _projections(engine)

    engine.dispose()
    command.downgrade(alembic_config(db_url), "0002")
    command.upgrade(alembic_config(db_url), "head")
    engine.dispose()
    after = _projections(engine)
    assert after[2] is not None and json.loads(after[2]) == json.loads(before[2] or "")
    assert after[1] is None  # only heads are back-filled; readers project older ones on demand


def test_pool_gives_the_in_process_figures_and_located_errors() -> None:
    _sid, system_path, assessment_path = next(iter(bundled_examples()))
    text = system_path.read_text()
    assessment = assessment_path.read_text() if assessment_path else None
    pool = AnalysisPool(1)
    try:
        pooled = pool.summarise(text, assessment)
        local = summarise_text(text, assessment)
        assert (pooled.system_id, pooled.residual_sum, pooled.max_residual) == (
            local.system_id,
            local.residual_sum,
            local.max_residual,
        )
        assert json.loads(pooled.projection)["open"] == json.loads(local.projection)["open"]
        broken = text.replace("\n", "\n  oops: [\n", 1)
        with pytest.raises(InputError) as here:
            summarise_text(broken, assessment)
        with pytest.raises(InputError) as there:
            pool.summarise(broken, assessment)
        assert str(there.value) == str(here.value)
        assert (there.value.source, there.value.line, there.value.hint) == (
            here.value.source,
            here.value.line,
            here.value.hint,
        )
    finally:
        pool.shutdown()
