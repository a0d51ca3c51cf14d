"""the Coalition Pledge as a record: commitments, signatures (moved out of
participants.pledge_signed_date), commitment implementations with linked actions, and the
participants' focal points

Revision ID: 0016_pledge
Revises: 0015_perf_counts
Create Date: 2026-11-28 14:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_pledge'
down_revision = '0015_perf_counts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pledge_commitments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('seed_key', sa.String(length=40), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_commitments')),
        sa.UniqueConstraint('number', name=op.f('uq_pledge_commitments_number')),
        sa.UniqueConstraint('seed_key', name=op.f('uq_pledge_commitments_seed_key')),
    )
    op.create_table(
        'pledge_signatures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('signatory_name', sa.String(length=200), server_default='', nullable=False),
        sa.Column('signatory_title', sa.String(length=200), server_default='', nullable=False),
        sa.Column('instrument_url', sa.String(length=500), server_default='', nullable=False),
        sa.Column('instrument_reference', sa.String(length=300), server_default='',
                  nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_pledge_signatures_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'],
                                name=op.f('fk_pledge_signatures_recorded_by_id_people'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_signatures')),
        sa.UniqueConstraint('participant_id', name=op.f('uq_pledge_signatures_participant_id')),
    )
    op.create_table(
        'commitment_implementations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), server_default='not_started', nullable=False),
        sa.Column('evidence_md', sa.Text(), server_default='', nullable=False),
        sa.Column('evidence_links', sa.Text(), server_default='', nullable=False),
        sa.Column('last_reviewed_on', sa.Date(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_commitment_implementations_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['commitment_id'], ['pledge_commitments.id'],
                                name=op.f('fk_commitment_implementations_commitment_id_pledge_commitments'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['people.id'],
                                name=op.f('fk_commitment_implementations_updated_by_id_people'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_implementations')),
        sa.UniqueConstraint('participant_id', 'commitment_id',
                            name=op.f('uq_commitment_implementations_participant_id_commitment_id')),
    )
    with op.batch_alter_table('commitment_implementations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_implementations_participant_id'),
                              ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_implementations_commitment_id'),
                              ['commitment_id'], unique=False)
    op.create_table(
        'implementation_actions',
        sa.Column('implementation_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['implementation_id'], ['commitment_implementations.id'],
                                name=op.f('fk_implementation_actions_implementation_id_commitment_implementations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['action_id'], ['action_items.id'],
                                name=op.f('fk_implementation_actions_action_id_action_items'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('implementation_id', 'action_id',
                                name=op.f('pk_implementation_actions')),
    )
    with op.batch_alter_table('implementation_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_implementation_actions_action_id'), ['action_id'],
                              unique=False)
    op.create_table(
        'participant_focal_points',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_participant_focal_points_person_id_people'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_participant_focal_points_participant_id_participants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['granted_by_id'], ['people.id'],
                                name=op.f('fk_participant_focal_points_granted_by_id_people'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_focal_points')),
        sa.UniqueConstraint('person_id', 'participant_id',
                            name=op.f('uq_participant_focal_points_person_id_participant_id')),
    )
    with op.batch_alter_table('participant_focal_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_focal_points_person_id'), ['person_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_participant_focal_points_participant_id'),
                              ['participant_id'], unique=False)
    # The dates recorded so far become signatures (who recorded them stays in the history).
    op.execute(
        "INSERT INTO pledge_signatures (participant_id, signed_on, recorded_at, version) "
        "SELECT id, pledge_signed_date, CURRENT_TIMESTAMP, 1 FROM participants "
        "WHERE pledge_signed_date IS NOT NULL")
    # A plain ALTER TABLE on every backend (SQLite has it since 3.35): a batch copy of
    # `participants` would have to drop a table that many others reference.
    op.execute("ALTER TABLE participants DROP COLUMN pledge_signed_date")


def downgrade():
    op.add_column('participants', sa.Column('pledge_signed_date', sa.Date(), nullable=True))
    op.execute(
        "UPDATE participants SET pledge_signed_date = (SELECT s.signed_on FROM pledge_signatures s "
        "WHERE s.participant_id = participants.id)")
    with op.batch_alter_table('participant_focal_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_focal_points_participant_id'))
        batch_op.drop_index(batch_op.f('ix_participant_focal_points_person_id'))
    op.drop_table('participant_focal_points')
    with op.batch_alter_table('implementation_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_implementation_actions_action_id'))
    op.drop_table('implementation_actions')
    with op.batch_alter_table('commitment_implementations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_implementations_commitment_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_implementations_participant_id'))
    op.drop_table('commitment_implementations')
    op.drop_table('pledge_signatures')
    op.drop_table('pledge_commitments')
