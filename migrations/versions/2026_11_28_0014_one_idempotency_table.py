"""one idempotency table: forms' keys and the API's stored Idempotency-Key answers together

idempotency_keys gains the API's columns (request_hash, status_code, body, headers), longer
keys and scopes, and a unique (person_id, key) instead of a unique key; the rows of
api_idempotency_keys move into it and that table is dropped.

Revision ID: 0014_one_idempotency
Revises: 0013_webhooks
Create Date: 2026-11-28 11:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_one_idempotency'
down_revision = '0013_webhooks'
branch_labels = None
depends_on = None

API_COLUMNS = "person_id, key, scope, request_hash, status_code, body, headers, created_at"


def upgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_constraint('uq_idempotency_keys_key', type_='unique')
        batch_op.alter_column('key', existing_type=sa.String(length=100),
                              type_=sa.String(length=200), existing_nullable=False)
        batch_op.alter_column('scope', existing_type=sa.String(length=60),
                              type_=sa.String(length=300), existing_nullable=False)
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('status_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('headers', sa.Text(), nullable=True))
        batch_op.create_unique_constraint('uq_idempotency_keys_person_id_key',
                                          ['person_id', 'key'])
        batch_op.create_index('ix_idempotency_keys_created_at', ['created_at'], unique=False)
    # A form key and an API key of the same person never coincide (form keys are random);
    # should one ever, the form's row stays.
    op.execute(
        f"INSERT INTO idempotency_keys ({API_COLUMNS}, result_ref) "
        f"SELECT {', '.join('a.' + c.strip() for c in API_COLUMNS.split(','))}, '' "
        "FROM api_idempotency_keys a WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys i "
        "WHERE i.person_id = a.person_id AND i.key = a.key)")
    with op.batch_alter_table('api_idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_api_idempotency_keys_created_at')
    op.drop_table('api_idempotency_keys')


def downgrade():
    op.create_table(
        'api_idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('scope', sa.String(length=300), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), server_default='', nullable=False),
        sa.Column('headers', sa.Text(), server_default='{}', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE',
                                name=op.f('fk_api_idempotency_keys_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_keys')),
        sa.UniqueConstraint('person_id', 'key', name=op.f('uq_api_idempotency_keys_person_id_key')),
    )
    with op.batch_alter_table('api_idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_api_idempotency_keys_created_at', ['created_at'], unique=False)
    op.execute(
        f"INSERT INTO api_idempotency_keys ({API_COLUMNS}) SELECT {API_COLUMNS} "
        "FROM idempotency_keys WHERE status_code IS NOT NULL AND person_id IS NOT NULL")
    op.execute("DELETE FROM idempotency_keys WHERE status_code IS NOT NULL OR length(key) > 100 "
               "OR length(scope) > 60")
    # Form keys were unique on their own: keep the first of any repeated key.
    op.execute("DELETE FROM idempotency_keys WHERE id NOT IN "
               "(SELECT min(id) FROM idempotency_keys GROUP BY key)")
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_created_at')
        batch_op.drop_constraint('uq_idempotency_keys_person_id_key', type_='unique')
        batch_op.drop_column('headers')
        batch_op.drop_column('body')
        batch_op.drop_column('status_code')
        batch_op.drop_column('request_hash')
        batch_op.alter_column('scope', existing_type=sa.String(length=300),
                              type_=sa.String(length=60), existing_nullable=False)
        batch_op.alter_column('key', existing_type=sa.String(length=200),
                              type_=sa.String(length=100), existing_nullable=False)
        batch_op.create_unique_constraint('uq_idempotency_keys_key', ['key'])
