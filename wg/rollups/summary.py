"""Keeps the rollup summaries (rollup_current, rollup_month_deltas) up to date, in the caller's
transaction.

rollup_current holds each group's counts and weights per status now. For the trend, every
change that moves an action's month-end figures (creation, a progress entry, a new weight or
due date) recomputes that one action's monthly deltas before and after the change from its
own progress logs, and adds the difference to its group's rows with an atomic upsert, so two
writers at once both count.
"""

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from wg.actions.models import (
    ActionItem,
    ActionStatus,
    ParticipantActivity,
    ProgressLog,
    RollupCurrent,
    RollupMonthDelta,
    RollupParticipant,
    action_participants,
)
from wg.extensions import db
from wg.rollups.compute import FIELDS, diff_deltas, month_deltas, month_start


def action_history(action_id):
    """(initial (status, progress) or None, [(created_at, status, progress)]) from the logs."""
    rows = db.session.execute(
        select(ProgressLog.created_at, ProgressLog.old_status, ProgressLog.old_progress,
               ProgressLog.new_status, ProgressLog.new_progress)
        .where(ProgressLog.action_id == action_id)
        .order_by(ProgressLog.id)
    ).all()
    if not rows:
        return None, []
    initial = (rows[0].old_status.value, rows[0].old_progress)
    return initial, [(r.created_at, r.new_status.value, r.new_progress) for r in rows]


def deltas_for(created_at, weight, due_date, initial, events):
    return month_deltas(created_at, weight, due_date, initial, events)


def apply_deltas(group_id, deltas):
    """Add {month index: Figures} to the group's monthly rows (insert or increment)."""
    if not deltas:
        return
    upsert = _upsert()
    table = RollupMonthDelta.__table__
    for month, d in sorted(deltas.items()):
        values = {name: getattr(d, name) for name in FIELDS}
        stmt = upsert(table).values(group_id=group_id, month=month_start(month), **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.group_id, table.c.month],
            set_={name: table.c[name] + stmt.excluded[name] for name in FIELDS},
        )
        db.session.execute(stmt)


def replace_history(group_id, old, new):
    """Apply the difference between an action's old and new monthly deltas."""
    apply_deltas(group_id, diff_deltas(old, new))


def _upsert():
    dialect = db.session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


def apply_current(group_id, status, total, weight_sum, weighted_sum):
    """Add to the group's current row for one status (insert or increment, atomically)."""
    table = RollupCurrent.__table__
    status = ActionStatus(getattr(status, "value", status))
    stmt = _upsert()(table).values(group_id=group_id, status=status, total=total,
                                   weight_sum=weight_sum, weighted_sum=weighted_sum)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.group_id, table.c.status],
        set_={name: table.c[name] + stmt.excluded[name]
              for name in ("total", "weight_sum", "weighted_sum")})
    db.session.execute(stmt)


def move_current(group_id, weight, old, new):
    """An action of `weight` went from (status, progress) `old` to `new` (either may be None)."""
    for state, sign in ((old, -1), (new, 1)):
        if state is None:
            continue
        status, progress = getattr(state[0], "value", state[0]), state[1]
        p = 100 if status == "done" else progress
        apply_current(group_id, status, sign, sign * weight, sign * weight * p)


def rebuild_current():
    """Recount every current row from action_items in one statement (after bulk loads)."""
    a = ActionItem.__table__.c
    db.session.execute(delete(RollupCurrent))
    select_rows = select(
        a.group_id, a.status, func.count(a.id), func.sum(a.weight),
        func.sum(a.weight * case((a.status == ActionStatus.done, 100), else_=a.progress)),
    ).group_by(a.group_id, a.status)
    db.session.execute(insert(RollupCurrent).from_select(
        ["group_id", "status", "total", "weight_sum", "weighted_sum"], select_rows))


def _bump(table, keys, values):
    stmt = _upsert()(table).values(**keys, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={name: table.c[name] + stmt.excluded[name] for name in values})
    db.session.execute(stmt)


def move_participants(group_id, participant_ids, weight, old, new):
    """Like move_current, for each participant responsible for the action."""
    table = RollupParticipant.__table__
    for pid in participant_ids:
        for state, sign in ((old, -1), (new, 1)):
            if state is None:
                continue
            status, progress = getattr(state[0], "value", state[0]), state[1]
            p = 100 if status == "done" else progress
            _bump(table, dict(participant_id=pid, group_id=group_id,
                              status=ActionStatus(status)),
                  dict(total=sign, weight_sum=sign * weight, weighted_sum=sign * weight * p))


def touch_participants(group_id, participant_ids, at):
    """Their latest progress entry in the group is now at least `at`."""
    table = ParticipantActivity.__table__
    for pid in participant_ids:
        stmt = _upsert()(table).values(participant_id=pid, group_id=group_id,
                                       last_progress_at=at)
        newer = or_(table.c.last_progress_at.is_(None),
                    table.c.last_progress_at < stmt.excluded.last_progress_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.participant_id, table.c.group_id],
            set_={"last_progress_at": case((newer, stmt.excluded.last_progress_at),
                                           else_=table.c.last_progress_at)})
        db.session.execute(stmt)


def recount_activity(group_id, participant_ids):
    """Recompute the latest entry after participants were taken off an action."""
    a, ap = ActionItem.__table__.c, action_participants.c
    table = ParticipantActivity.__table__
    for pid in participant_ids:
        latest = db.session.scalar(
            select(func.max(a.last_progress_at)).select_from(action_participants)
            .join(ActionItem.__table__, a.id == ap.action_id)
            .where(ap.participant_id == pid, a.group_id == group_id))
        db.session.execute(table.update().where(
            table.c.participant_id == pid, table.c.group_id == group_id)
            .values(last_progress_at=latest))


def participants_of(action_id):
    return list(db.session.scalars(select(action_participants.c.participant_id).where(
        action_participants.c.action_id == action_id)))


def rebuild_participants():
    """Recount both participant summaries from the raw rows in two statements."""
    a, ap = ActionItem.__table__.c, action_participants.c
    join = action_participants.join(ActionItem.__table__, a.id == ap.action_id)
    db.session.execute(delete(RollupParticipant))
    db.session.execute(insert(RollupParticipant).from_select(
        ["participant_id", "group_id", "status", "total", "weight_sum", "weighted_sum"],
        select(ap.participant_id, a.group_id, a.status, func.count(a.id), func.sum(a.weight),
               func.sum(a.weight * case((a.status == ActionStatus.done, 100),
                                        else_=a.progress)))
        .select_from(join).group_by(ap.participant_id, a.group_id, a.status)))
    db.session.execute(delete(ParticipantActivity))
    db.session.execute(insert(ParticipantActivity).from_select(
        ["participant_id", "group_id", "last_progress_at"],
        select(ap.participant_id, a.group_id, func.max(a.last_progress_at))
        .select_from(join).group_by(ap.participant_id, a.group_id)))
