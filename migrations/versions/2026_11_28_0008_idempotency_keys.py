"""idempotency keys: a form or API request acted on exactly once

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-28 08:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('scope', sa.String(length=60), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('result_ref', sa.String(length=200), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_idempotency_keys_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('key', name=op.f('uq_idempotency_keys_key')),
    )


def downgrade():
    op.drop_table('idempotency_keys')
