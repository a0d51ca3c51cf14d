"""sensitivity labels (TLP 2.0) on meetings, minutes, decisions and actions

Every existing row gets TLP:GREEN (the coalition community, i.e. every member who signs in).
AMBER+STRICT items name the participant whose people see them (sensitivity_participant_id).

Revision ID: 0020_sensitivity
Revises: 0017_initiatives_decisions
Create Date: 2026-11-28 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_sensitivity'
down_revision = '0017_initiatives_decisions'
branch_labels = None
depends_on = None

LABELS = {"meetings": ("sensitivity", "minutes_sensitivity"),
          "decisions": ("sensitivity",),
          "action_items": ("sensitivity",)}


def upgrade():
    for table, columns in LABELS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.String(length=20), nullable=False,
                                           server_default="GREEN"))
            batch.add_column(sa.Column("sensitivity_participant_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_{table}_sensitivity_participant", "participants",
                                     ["sensitivity_participant_id"], ["id"],
                                     ondelete="SET NULL")


def downgrade():
    for table, columns in LABELS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_sensitivity_participant", type_="foreignkey")
            batch.drop_column("sensitivity_participant_id")
            for column in columns:
                batch.drop_column(column)
