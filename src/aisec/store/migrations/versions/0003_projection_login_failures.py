"""Per-revision projection for workspace views; login failures in the database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 06:10:00

`assessment_revisions.projection` holds what the portfolio and the decisions queue need of a
stored result (`aisec.store.projection`), so those views never parse result blobs. Head
revisions are back-filled here; older revisions keep NULL (readers then parse the stored
result, as before). `login_failures` makes the login throttle hold across server processes and
restarts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _backfill() -> None:
    """Project the stored result of every system's head revision (once; ~10 ms each)."""
    from aisec.store import projection
    from aisec.store.assessing import stored_result

    bind = op.get_bind()
    ids = [
        row[0]
        for row in bind.execute(
            sa.text(
                "SELECT r.id FROM assessment_revisions r JOIN systems s "
                "ON s.id = r.system_id AND s.assessment_head = r.number"
            )
        )
    ]
    update = sa.text("UPDATE assessment_revisions SET projection = :p WHERE id = :id")
    blobs = sa.text(
        "SELECT revision_id, result FROM assessment_results WHERE revision_id IN :ids"
    ).bindparams(sa.bindparam("ids", expanding=True))
    for start in range(0, len(ids), 200):
        batch: list[dict[str, object]] = []
        for rev_id, blob in bind.execute(blobs, {"ids": ids[start : start + 200]}).all():
            try:
                batch.append({"id": rev_id, "p": projection.dumps(stored_result(bytes(blob)))})
            except Exception:  # noqa: BLE001, S112  (an unreadable old result: readers fall back)
                continue
        if batch:
            bind.execute(update, batch)


def upgrade() -> None:
    op.add_column("assessment_revisions", sa.Column("projection", sa.Text(), nullable=True))
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_key", "login_failures", ["key"])
    _backfill()


def downgrade() -> None:
    op.drop_index("ix_login_failures_key", table_name="login_failures")
    op.drop_table("login_failures")
    with op.batch_alter_table("assessment_revisions", schema=None) as batch_op:
        batch_op.drop_column("projection")
