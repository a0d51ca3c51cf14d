"""meeting versions: version columns on meetings, series, agenda items, decisions; the action an
agenda item was carried from; drop meeting_notice_states (notices are queued by the services)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0012'
branch_labels = None
depends_on = None

VERSIONED = ('meetings', 'meeting_series', 'agenda_items', 'meeting_decisions')


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                          server_default='1'))
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agenda_items_action_id_action_items'),
                                    'action_items', ['action_id'], ['id'], ondelete='SET NULL')
    op.drop_table('meeting_notice_states')


def downgrade():
    op.create_table(
        'meeting_notice_states',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_meeting_notice_states_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_meeting_notice_states')),
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agenda_items_action_id_action_items'),
                                 type_='foreignkey')
        batch_op.drop_column('action_id')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
