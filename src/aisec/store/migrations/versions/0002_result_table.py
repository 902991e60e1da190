"""Move each assessment revision's result blob into its own table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 04:45:00

List queries (portfolio, revisions, trends) read only the small columns of
`assessment_revisions`; with the ~100 KB blob in the same row SQLite kept them behind overflow
pages. Every blob is copied unchanged; downgrade copies it back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _stash() -> sa.Table:
    """A plain table (no foreign key) holding the blobs while the revision table is rebuilt:
    SQLite's batch rebuild drops the old table, which would cascade to a keyed table."""
    return op.create_table(
        "_aisec_result_stash",
        sa.Column("revision_id", sa.Integer(), primary_key=True),
        sa.Column("result", sa.LargeBinary(), nullable=False),
    )


def upgrade() -> None:
    _stash()
    op.execute(
        "INSERT INTO _aisec_result_stash (revision_id, result) "
        "SELECT id, result FROM assessment_revisions"
    )
    with op.batch_alter_table("assessment_revisions", schema=None) as batch_op:
        batch_op.drop_column("result")
    op.create_table(
        "assessment_results",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["assessment_revisions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("revision_id"),
    )
    op.execute(
        "INSERT INTO assessment_results (revision_id, result) "
        "SELECT revision_id, result FROM _aisec_result_stash"
    )
    op.drop_table("_aisec_result_stash")


def downgrade() -> None:
    _stash()
    op.execute(
        "INSERT INTO _aisec_result_stash (revision_id, result) "
        "SELECT revision_id, result FROM assessment_results"
    )
    op.drop_table("assessment_results")
    with op.batch_alter_table("assessment_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE assessment_revisions SET result = (SELECT s.result FROM _aisec_result_stash s "
        "WHERE s.revision_id = assessment_revisions.id)"
    )
    with op.batch_alter_table("assessment_revisions", schema=None) as batch_op:
        batch_op.alter_column("result", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table("_aisec_result_stash")
