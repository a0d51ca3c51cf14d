"""list speed: the actions list counts its matches from an index alone

The actions list (and its count of matches) filters on group, status and the TLP label
(AMBER+STRICT actions of other participants are left out). With the label in the index the
count of a working group's actions in one status reads the index alone (16,000 matches at
scale 10: 25 ms → 1 ms on SQLite). The new index starts with (group_id, status), so it also does
the work of ix_action_items_group_status, which goes.

Revision ID: 0023_list_speed
Revises: 0022_rollup_speed
Create Date: 2026-11-28 17:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_list_speed'
down_revision = '0022_rollup_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_action_items_group_status_label', 'action_items',
                    ['group_id', 'status', 'sensitivity', 'sensitivity_participant_id'],
                    unique=False)
    op.drop_index('ix_action_items_group_status', table_name='action_items')


def downgrade():
    op.create_index('ix_action_items_group_status', 'action_items', ['group_id', 'status'],
                    unique=False)
    op.drop_index('ix_action_items_group_status_label', table_name='action_items')
