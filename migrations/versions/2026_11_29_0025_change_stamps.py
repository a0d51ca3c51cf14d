"""change stamps: a token per scope that every change to what the scope covers sets anew

Pages keep what they work out from a group's actions (who has not reported this cycle, over
thousands of owners) while the group's token is unchanged; see wg/stamps.py.

Revision ID: 0025_change_stamps
Revises: 0024_search_speed
Create Date: 2026-11-29 00:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0025_change_stamps'
down_revision = '0024_search_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_stamps",
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_change_stamps")),
    )


def downgrade():
    op.drop_table("change_stamps")
