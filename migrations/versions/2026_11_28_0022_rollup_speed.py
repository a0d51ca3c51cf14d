"""rollup_owners: per group and owner, open and all actions and the latest progress entry

Revision ID: 0022_rollup_speed
Revises: 0021_document_text
Create Date: 2026-11-28 17:45:00

Filled from the actions in the same step, so "who has not reported" is exact from the start.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_rollup_speed"
down_revision = "0021_document_text"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rollup_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("n_open", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_rollup_owners_group_id_groups"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"],
                                name=op.f("fk_rollup_owners_owner_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_owners")),
        sa.UniqueConstraint("group_id", "owner_id", name=op.f("uq_rollup_owners_group_id_owner_id")),
    )
    op.execute(
        "INSERT INTO rollup_owners (group_id, owner_id, n_open, total, last_progress_at) "
        "SELECT group_id, owner_id, "
        "SUM(CASE WHEN status IN ('open', 'in_progress', 'blocked') THEN 1 ELSE 0 END), "
        "COUNT(id), MAX(last_progress_at) FROM action_items WHERE owner_id IS NOT NULL "
        "GROUP BY group_id, owner_id")


def downgrade():
    op.drop_table("rollup_owners")
