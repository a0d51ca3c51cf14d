"""history: an append-only record of every change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:10:00

On PostgreSQL a trigger makes the table refuse UPDATE and DELETE, whoever asks; TRUNCATE (used
by the test suite between tests and by a restore) is a separate privilege and stays allowed. On
SQLite the application refuses such changes (a before_flush guard); SQLite has no roles.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'history_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=200), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=True),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('object_label', sa.String(length=300), nullable=False),
        sa.Column('parent_type', sa.String(length=40), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('verb', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['people.id'],
                                name=op.f('fk_history_entries_actor_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_history_entries')),
    )
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.create_index('ix_history_entries_object', ['object_type', 'object_id', 'id'])
        batch_op.create_index('ix_history_entries_parent', ['parent_type', 'parent_id', 'id'])
        batch_op.create_index('ix_history_entries_at', ['at'])
        batch_op.create_index('ix_history_entries_actor_id', ['actor_id'])
        batch_op.create_index('ix_history_entries_group_id', ['group_id', 'id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION history_entries_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'history entries are append-only (% refused)', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER history_entries_append_only
            BEFORE UPDATE OR DELETE ON history_entries
            FOR EACH ROW EXECUTE FUNCTION history_entries_append_only()
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS history_entries_append_only ON history_entries")
        op.execute("DROP FUNCTION IF EXISTS history_entries_append_only()")
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_history_entries_group_id')
        batch_op.drop_index('ix_history_entries_actor_id')
        batch_op.drop_index('ix_history_entries_at')
        batch_op.drop_index('ix_history_entries_parent')
        batch_op.drop_index('ix_history_entries_object')
    op.drop_table('history_entries')
