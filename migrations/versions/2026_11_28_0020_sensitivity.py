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


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    # Plain ADD COLUMN (no batch table copy): on SQLite a copy would drop and re-create
    # `meetings`, and ON DELETE CASCADE would take the decisions and agendas with it.
    for table, columns in LABELS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.String(length=20), nullable=False,
                                           server_default="GREEN"))
        name = f"fk_{table}_sensitivity_participant_id_participants"
        if _sqlite():  # SQLite adds a column with its REFERENCES, never a constraint later
            op.execute(f"ALTER TABLE {table} ADD COLUMN sensitivity_participant_id INTEGER "
                       f"CONSTRAINT {name} REFERENCES participants (id)")
        else:
            op.add_column(table, sa.Column("sensitivity_participant_id", sa.Integer(),
                                           nullable=True))
            op.create_foreign_key(name, table, "participants", ["sensitivity_participant_id"],
                                  ["id"])


def downgrade():
    if _sqlite():
        # The table copy of batch mode, with foreign keys off so that no cascade runs.
        op.execute("PRAGMA foreign_keys=OFF")
    for table, columns in LABELS.items():
        with op.batch_alter_table(table) as batch:
            if not _sqlite():
                batch.drop_constraint(f"fk_{table}_sensitivity_participant_id_participants", type_="foreignkey")
            batch.drop_column("sensitivity_participant_id")
            for column in columns:
                batch.drop_column(column)
    if _sqlite():
        op.execute("PRAGMA foreign_keys=ON")
