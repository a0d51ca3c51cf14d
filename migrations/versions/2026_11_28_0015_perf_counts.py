"""kept counts for the structure page and the participants directory; indexes for the
chairs and leads (memberships by role) and for a group's actions by due date

Per group and participant, the distinct active members and chairs; per participant, its active
people. Filled here from the existing rows, then kept by the services (wg.groups.counts).

Revision ID: 0015_perf_counts
Revises: 0014_one_idempotency
Create Date: 2026-11-28 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_perf_counts'
down_revision = '0014_one_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'group_participant_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('members', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name=op.f('fk_group_participant_members_group_id_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_group_participant_members_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_participant_members')),
        sa.UniqueConstraint('group_id', 'participant_id',
                            name=op.f('uq_group_participant_members_group_id_participant_id')),
    )
    with op.batch_alter_table('group_participant_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_participant_members_participant_id'),
                              ['participant_id'], unique=False)
    op.create_table(
        'participant_people',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_participant_people_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_participant_people')),
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('ix_memberships_role_group_id', ['role', 'group_id'], unique=False)
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index('ix_action_items_group_due', ['group_id', 'due_date', 'id'],
                              unique=False)
    active = 'true' if op.get_bind().dialect.name == 'postgresql' else '1'
    op.execute(
        "INSERT INTO group_participant_members (group_id, participant_id, members) "
        "SELECT m.group_id, p.participant_id, COUNT(DISTINCT m.person_id) "
        "FROM memberships m JOIN people p ON p.id = m.person_id "
        f"WHERE m.role IN ('member', 'chair') AND p.is_active = {active} "
        "GROUP BY m.group_id, p.participant_id")
    op.execute(
        "INSERT INTO participant_people (participant_id, people) "
        "SELECT participant_id, COUNT(*) FROM people "
        f"WHERE is_active = {active} GROUP BY participant_id")


def downgrade():
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_action_items_group_due')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_role_group_id')
    op.drop_table('participant_people')
    with op.batch_alter_table('group_participant_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_participant_members_participant_id'))
    op.drop_table('group_participant_members')
