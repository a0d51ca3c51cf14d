"""Rollup figures computed by the database: a handful of aggregate queries per page.

The number of statements does not depend on the number of actions: current figures come from
one GROUP BY over action_items, the trend from the small rollup_month_deltas table.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, and_, case, cast, func, literal_column, or_, select, union_all

from wg import stamps
from wg.actions.models import OPEN_STATUSES, ActionItem, ActionStatus, action_participants
from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Group
from wg.kept import Shelf
from wg.participants.models import Participant
from wg.rollups.compute import FIELDS, Figures, month_index
from wg.rollups.formulas import overdue_sql, stale_before, stale_sql
from wg.rollups.models import (
    ParticipantActivity,
    RollupCurrent,
    RollupMonthDelta,
    RollupOwner,
    RollupParticipant,
)

A = ActionItem


def overdue_clause(today):
    return overdue_sql(A.status, A.due_date, today)


def stale_clause(now):
    return stale_sql(A.status, A.last_activity_at, now)


def _add_row(fig, status, count, weight_sum, weighted_sum, overdue, stale):
    fig.total += count
    setattr(fig, "n_" + status.value, getattr(fig, "n_" + status.value) + count)
    fig.weight_sum += int(weight_sum)
    fig.weighted_sum += int(weighted_sum)
    fig.overdue += int(overdue)
    fig.stale += int(stale)


def figures_by_group(today, now, group_ids=None):
    """{group id: Figures of the group's own actions}: one statement whatever the size.

    Counts and weights come from the rollup_current summary; overdue and stale are counted
    with index range scans over open actions only; the parts travel in one UNION ALL. The
    overdue and stale counts are kept (`_late`) under the groups' change stamps for the day,
    until the next open action turns stale: at ten times the coalition they were most of the
    dashboard's time (an index scan over every open action past its date).
    """
    C = RollupCurrent
    out = defaultdict(Figures)
    parts = [select(literal_column("'current'").label("kind"), C.group_id, cast(C.status, String(20)),
                    C.total, C.weight_sum, C.weighted_sum).where(
        C.status != ActionStatus.dropped, C.total != 0)]
    if group_ids is not None:
        parts[0] = parts[0].where(C.group_id.in_(group_ids))
    key = (today, None if group_ids is None else tuple(sorted(group_ids)), stamps.groups())
    counts = _late.get(key, at=now)
    if counts is None:
        parts += _late_parts(today, now, group_ids)
    late, bounds = defaultdict(lambda: [0, 0]), {"next": [], "last": []}
    for kind, group_id, status, total, weight_sum, weighted_sum in db.session.execute(
            union_all(*parts)):
        if kind == "current":
            _add_row(out[group_id], ActionStatus[status], total, weight_sum, weighted_sum, 0, 0)
        elif kind in bounds:
            if status is not None:
                bounds[kind].append(_instant(status))
        else:
            late[group_id][kind == "stale"] += int(total)
    if counts is None:
        # An open action turns stale once `now` is past its last activity + STALE_DAYS: the
        # stale counts hold from just after the last such moment before `now` up to and
        # including the next one (one microsecond, the clock's step, makes that since <= at <
        # until).
        window, tick = now - stale_before(now), timedelta(microseconds=1)
        counts = {g: tuple(n) for g, n in late.items()}
        _late.put(key, counts,
                  since=max(bounds["last"]) + window + tick if bounds["last"] else None,
                  until=min(bounds["next"]) + window + tick if bounds["next"] else None)
    for group_id, (overdue, stale) in counts.items():
        out[group_id].overdue += overdue
        out[group_id].stale += stale
    return out


_late = Shelf(64)


def _late_parts(today, now, group_ids):
    """The UNION ALL parts counting overdue and stale open actions by group, and the bounds of
    the stale counts: per open status, the latest activity already past the stale line and the
    earliest not yet past it (each an index look-up on (status, last_activity_at))."""
    parts = []
    for name, clause in (("overdue", overdue_clause(today)), ("stale", stale_clause(now))):
        stmt = (select(literal_column(f"'{name}'").label("kind"), A.group_id,
                       literal_column("''"), func.count(), literal_column("0"),
                       literal_column("0")).where(clause).group_by(A.group_id))
        if group_ids is not None:
            # `+ 0`: the open actions past the date are read from the covering (status, date,
            # group) index; SQLite otherwise walks (group, due date) and reads every row's
            # status from the table (WG1 at scale 10: 23.6 -> 3.2 ms).
            stmt = stmt.where((A.group_id + 0).in_(group_ids))
        parts.append(stmt)
    line = stale_before(now)
    for status in OPEN_STATUSES:
        for name, aggregate, side in (("last", func.max, A.last_activity_at < line),
                                      ("next", func.min, A.last_activity_at >= line)):
            bound = select(aggregate(A.last_activity_at)).where(
                A.status == status, side).scalar_subquery()
            parts.append(select(literal_column(f"'{name}'"), literal_column("NULL"),
                                cast(bound, String), literal_column("0"), literal_column("0"),
                                literal_column("0")))
    return parts


def all_groups():
    return db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()


def scope_ids(group, groups):
    """The group ids a group's rollup covers: its own, plus its sub-groups' for a working group."""
    if group is None:
        return {g.id for g in groups}
    if group.parent_id is None:
        return {group.id} | {g.id for g in groups if g.parent_id == group.id}
    return {group.id}


def combine(per_group, ids):
    total = Figures()
    for gid in ids:
        if gid in per_group:
            total.add(per_group[gid])
    return total


def trend_by_group(months, group_ids=None):
    """{group id: [Figures at the end of each of `months`]} from rollup_month_deltas.

    Reads (groups x months) small rows and sums them per group; no progress log is read.
    """
    t = RollupMonthDelta.__table__
    stmt = select(t.c.group_id, t.c.month, *[t.c[name] for name in FIELDS]).order_by(
        t.c.group_id, t.c.month)
    if group_ids is not None:
        stmt = stmt.where(t.c.group_id.in_(group_ids))
    last = months[-1] if months else 0
    out = {}
    gid_now, pending = None, []

    def finish():
        if gid_now is None:
            return
        series, total, i = [], [0] * len(FIELDS), 0
        for m in months:
            while i < len(pending) and pending[i][0] <= m:
                values = pending[i][1]
                total = [a + b for a, b in zip(total, values, strict=True)]
                i += 1
            series.append(total)
        out[gid_now] = series

    for gid, month, *values in db.session.execute(stmt):
        if gid != gid_now:
            finish()
            gid_now, pending = gid, []
        m = month_index(month)
        if m <= last:
            pending.append((m, values))
    finish()
    return out


def trend_for(series_by_group, ids, months):
    """[(month index, Figures)] for a scope: the sum of its groups' month-end series."""
    sums = [[0] * len(FIELDS) for _ in months]
    for gid in ids:
        for row, values in zip(sums, series_by_group.get(gid, ()), strict=False):
            for k, v in enumerate(values):
                row[k] += v
    return [(m, Figures(*row)) for m, row in zip(months, sums, strict=True)]


def participant_figures(today, now, group_ids=None):
    """[(Participant, Figures, last update)] for every participant responsible for actions.

    Counts and weights come from the rollup_participants summary, the last update from
    participant_activity; overdue and stale join only the open actions past those dates.
    """
    R, PA, P = RollupParticipant, ParticipantActivity, action_participants.c
    figs, last = defaultdict(Figures), {}
    stmt = select(R.participant_id, R.status, R.total, R.weight_sum, R.weighted_sum).where(
        R.status != ActionStatus.dropped, R.total != 0)
    if group_ids is not None:
        stmt = stmt.where(R.group_id.in_(group_ids))
    for pid, status, total, weight_sum, weighted_sum in db.session.execute(stmt):
        _add_row(figs[pid], status, total, weight_sum, weighted_sum, 0, 0)
    for name, clause in (("overdue", overdue_clause(today)), ("stale", stale_clause(now))):
        stmt = (select(P.participant_id, func.count())
                .select_from(A).join(action_participants, P.action_id == A.id)
                .where(clause).group_by(P.participant_id))
        if group_ids is not None:
            stmt = stmt.where(A.group_id.in_(group_ids))
        for pid, count in db.session.execute(stmt):
            setattr(figs[pid], name, getattr(figs[pid], name) + count)
    stmt = select(PA.participant_id, PA.last_progress_at).where(
        PA.last_progress_at.is_not(None))
    if group_ids is not None:
        stmt = stmt.where(PA.group_id.in_(group_ids))
    for pid, at in db.session.execute(stmt):
        last[pid] = max(last.get(pid, at), at)
    ids = [pid for pid, f in figs.items() if f.total]
    participants = db.session.scalars(
        select(Participant).where(Participant.id.in_(ids)).order_by(Participant.name)
    ).all() if ids else []
    return [(p, figs[p.id], last.get(p.id)) for p in participants]


def not_reported(group, cycle_start):
    """`silent({group.id: cycle_start})`: who has not reported in this one group."""
    return silent({group.id: cycle_start})


def cycle_starts(groups, now):
    """{group id: start of its current reporting cycle} for several groups in one statement:
    what wg.actions.queries.cycle_start gives for each (its last meeting not cancelled that
    has begun by `now`, else the first instant of the month)."""
    from wg.meetings.models import Meeting, MeetingStatus

    ids = [g.id for g in groups]
    if not ids:
        return {}
    fix = Meeting.start_at.type.process_result_value
    last = dict(db.session.execute(
        select(Meeting.group_id, func.max(Meeting.start_at)).where(
            Meeting.group_id.in_(ids), Meeting.start_at <= now,
            Meeting.status != MeetingStatus.cancelled).group_by(Meeting.group_id)).all())
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return {gid: fix(last[gid], None) if last.get(gid) is not None else month for gid in ids}


class Owner:
    """An owner as "who has not reported" lists one: id and name (not the whole person row)."""

    __slots__ = ("id", "name")

    def __init__(self, id, name):  # noqa: A002 - the person's id
        self.id, self.name = id, name

    def __eq__(self, other):
        return getattr(other, "id", None) == self.id

    def __hash__(self):
        return hash(self.id)


def silent(cycle_starts):
    """Owners and responsible participants with open actions in the groups of `cycle_starts`
    ({group id: start of its current reporting cycle}) and no progress entry on any of their
    actions there since the start of that action's group's cycle.

    Returns ([(Owner, open count, count in all, last entry or None)], [(Participant, ...)]).
    "In all" counts every action there (what the action list a name links to counts), the
    last entry is the latest progress entry on any of them. Two grouped queries over the kept
    summaries whatever the number of people or actions: owners over rollup_owners, and
    participants over rollup_participants (the counts) joined to participant_activity (the
    last entries).
    """
    return silent_owners(cycle_starts), silent_participants(cycle_starts)


def _instant(value):
    """An aware UTC datetime from a timestamp column's value as the driver gives it (SQLite: the
    text it stores; PostgreSQL: a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def silent_owners(cycle_starts):
    """The owners of `silent`: [(Owner, open count, count in all, last entry or None)].

    Read as the driver's rows (a line of effort has over a thousand: SQLAlchemy's processing
    of each timestamp cost more than the query)."""
    ids = sorted(cycle_starts)
    RO = RollupOwner
    reported = or_(*[and_(RO.group_id == gid, RO.last_progress_at >= cycle_starts[gid])
                     for gid in ids])
    n_open = func.sum(RO.n_open)
    quiet = (select(RO.owner_id.label("pid"), n_open.label("n_open"),
                    func.sum(RO.total).label("total"), func.max(RO.last_progress_at).label("last"))
             .where(RO.group_id.in_(ids)).group_by(RO.owner_id)
             .having(n_open > 0, func.max(case((reported, 1), else_=0)) == 0).subquery())
    rows = db.session.connection().execute(
        select(Person.id, Person.name, quiet.c.n_open, quiet.c.total, quiet.c.last)
        .join(quiet, quiet.c.pid == Person.id)).cursor.fetchall()
    return [(Owner(pid, name), int(n), int(total), _instant(t))
            for pid, name, n, total, t in rows]


def silent_participants(cycle_starts):
    """The participants of `silent`: [(Participant, open count, count in all, last entry)]."""
    ids = sorted(cycle_starts)
    fix = A.last_progress_at.type.process_result_value

    def when(t):
        return fix(t, None) if t is not None else None

    R, PA = RollupParticipant, ParticipantActivity
    recent = or_(*[and_(PA.group_id == gid, PA.last_progress_at >= cycle_starts[gid])
                   for gid in ids])
    activity = (select(PA.participant_id.label("pid"),
                       func.max(PA.last_progress_at).label("last"),
                       func.max(case((recent, 1), else_=0)).label("fresh"))
                .where(PA.group_id.in_(ids)).group_by(PA.participant_id).subquery())
    r_open = func.sum(case((R.status.in_(OPEN_STATUSES), R.total), else_=0))
    counted = (select(R.participant_id.label("pid"), r_open.label("n_open"),
                      func.sum(R.total).label("total"))
               .where(R.group_id.in_(ids)).group_by(R.participant_id).having(r_open > 0)
               .subquery())
    participants = db.session.execute(
        select(Participant, counted.c.n_open, counted.c.total, activity.c.last)
        .join(counted, counted.c.pid == Participant.id)
        .outerjoin(activity, activity.c.pid == Participant.id)
        .where(func.coalesce(activity.c.fresh, 0) == 0)
    ).all()
    return [(p, int(n), int(total), when(t)) for p, n, total, t in participants]
