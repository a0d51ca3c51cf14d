"""initiatives (leads, sub-groups, linked actions) and the decision register

The meeting decisions (meeting_decisions) become records of their own in `decisions`: each one
gets its meeting's group, the meeting's local date as its date, and a number per group and year
in the order they were taken; all start "open". Downgrade keeps the meeting decisions only.

Revision ID: 0017_initiatives_decisions
Revises: 0015_perf_counts
Create Date: 2026-11-28 14:10:00

"""
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_initiatives_decisions'
down_revision = '0016_pledge'
branch_labels = None
depends_on = None


def _instant(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local_date(start_at, zone):
    try:
        return _instant(start_at).astimezone(ZoneInfo(zone)).date()
    except Exception:  # an unknown zone name: the UTC date
        return _instant(start_at).date()


def upgrade():
    op.create_table(
        'initiatives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('goal_md', sa.Text(), server_default='', nullable=False),
        sa.Column('goal_html', sa.Text(), server_default='', nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('status', sa.Enum('planned', 'active', 'paused', 'completed',
                                    name='initiative_status', native_enum=False, length=20),
                  server_default='active', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id'],
                                name=op.f('fk_initiatives_created_by_id_people')),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name=op.f('fk_initiatives_group_id_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_initiatives')),
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index('ix_initiatives_group_status', ['group_id', 'status'], unique=False)
    for name, column, target in (('initiative_leads', 'participant_id', 'participants'),
                                 ('initiative_subgroups', 'group_id', 'groups'),
                                 ('initiative_actions', 'action_id', 'action_items')):
        op.create_table(
            name,
            sa.Column('initiative_id', sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'],
                                    name=op.f(f'fk_{name}_initiative_id_initiatives'),
                                    ondelete='CASCADE'),
            sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                    name=op.f(f'fk_{name}_{column}_{target}'),
                                    ondelete='CASCADE' if target == 'action_items' else None),
            sa.PrimaryKeyConstraint('initiative_id', column, name=op.f(f'pk_{name}')),
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{name}_{column}'), [column], unique=False)

    op.create_table(
        'decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('text_html', sa.Text(), server_default='', nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('open', 'implemented', 'superseded', name='decision_status',
                                    native_enum=False, length=20),
                  server_default='open', nullable=False),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['people.id'],
                                name=op.f('fk_decisions_created_by_id_people')),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name=op.f('fk_decisions_group_id_groups')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_decisions_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['supersedes_id'], ['decisions.id'],
                                name=op.f('fk_decisions_supersedes_id_decisions'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
        sa.UniqueConstraint('group_id', 'year', 'number',
                            name=op.f('uq_decisions_group_id_year_number')),
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_decided_on', ['decided_on', 'id'], unique=False)
        batch_op.create_index('ix_decisions_group_decided_on', ['group_id', 'decided_on'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_meeting_id'), ['meeting_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_supersedes_id'), ['supersedes_id'],
                              unique=False)
    op.create_table(
        'decision_actions',
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action_items.id'],
                                name=op.f('fk_decision_actions_action_id_action_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'],
                                name=op.f('fk_decision_actions_decision_id_decisions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('decision_id', 'action_id', name=op.f('pk_decision_actions')),
    )
    with op.batch_alter_table('decision_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_actions_action_id'), ['action_id'],
                              unique=False)

    # The existing meeting decisions, numbered per group and year in the order taken.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT d.id, d.meeting_id, d.position, d.text, d.created_at, d.version, m.group_id, "
        "m.start_at, m.timezone FROM meeting_decisions d JOIN meetings m ON m.id = d.meeting_id "
        "ORDER BY m.start_at, m.id, d.position, d.id")).all()
    from wg.markdown import render  # the sanitized HTML the pages show, as the service makes it

    counters = defaultdict(int)
    payload = []
    for row in rows:
        day = _local_date(row.start_at, row.timezone)
        counters[(row.group_id, day.year)] += 1
        created = _instant(row.created_at)
        payload.append(dict(id=row.id, group_id=row.group_id, year=day.year,
                            number=counters[(row.group_id, day.year)], meeting_id=row.meeting_id,
                            position=row.position, text=row.text, text_html=render(row.text),
                            decided_on=day, status='open', created_at=created,
                            updated_at=created, version=row.version))
    if payload:
        table = sa.table('decisions', *[sa.column(k) for k in payload[0]])
        for start in range(0, len(payload), 5000):
            op.bulk_insert(table, payload[start:start + 5000])
        if bind.dialect.name == 'postgresql':
            op.execute("SELECT setval(pg_get_serial_sequence('decisions', 'id'), "
                       "(SELECT MAX(id) FROM decisions))")
    with op.batch_alter_table('meeting_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_decisions_meeting_id'))
    op.drop_table('meeting_decisions')


def downgrade():
    op.create_table(
        'meeting_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_meeting_decisions_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_decisions')),
    )
    with op.batch_alter_table('meeting_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_decisions_meeting_id'), ['meeting_id'],
                              unique=False)
    op.execute("INSERT INTO meeting_decisions (id, meeting_id, position, text, created_at, "
               "version) SELECT id, meeting_id, position, text, created_at, version "
               "FROM decisions WHERE meeting_id IS NOT NULL")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('meeting_decisions', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM meeting_decisions), 1))")
    with op.batch_alter_table('decision_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_actions_action_id'))
    op.drop_table('decision_actions')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_supersedes_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_meeting_id'))
        batch_op.drop_index('ix_decisions_group_decided_on')
        batch_op.drop_index('ix_decisions_decided_on')
    op.drop_table('decisions')
    for name, column in (('initiative_actions', 'action_id'),
                         ('initiative_subgroups', 'group_id'),
                         ('initiative_leads', 'participant_id')):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_{column}'))
        op.drop_table(name)
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_group_status')
    op.drop_table('initiatives')
