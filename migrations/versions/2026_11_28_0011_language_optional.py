"""a person's language is optional: until they choose, pages follow the browser's language

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=8), nullable=True,
                              server_default=None)


def downgrade():
    op.execute("UPDATE people SET language = 'en' WHERE language IS NULL")
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=8), nullable=False,
                              server_default='en')
