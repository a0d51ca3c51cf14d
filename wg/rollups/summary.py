"""Keeps the rollup summaries up to date, in the caller's transaction: one entry point.

Every action service calls `apply_change(before, after)` once, with the action's rollup state
(`ActionState`, read by `state_of`) before and after its change (None before a creation). From
the two states this module moves

- rollup_current (per group and status: count, Σweight, Σweight×p),
- rollup_participants (the same per responsible participant),
- participant_activity (latest progress entry per participant and group),
- rollup_owners (per group and owner: open actions, all actions, latest progress entry),
- rollup_month_deltas: each action's month-end figures are recomputed before and after the
  change from its own progress logs (compute.month_deltas), and the difference is added to its
  group's rows with an atomic upsert, so two writers at once both count.

`rebuild()` recounts all four from actions and logs (after bulk loads, or to repair) and
`check()` names every difference between the kept rows and a recount; `flask wg
rebuild-rollups` / `flask wg check-rollups` run them.
"""

from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, case, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from wg import stamps
from wg.actions.models import (
    OPEN_STATUSES,
    ActionItem,
    ActionStatus,
    ProgressLog,
    action_participants,
)
from wg.extensions import db
from wg.rollups.compute import FIELDS, Figures, diff_deltas, month_deltas, month_start
from wg.rollups.formulas import effective_progress, effective_progress_sql
from wg.rollups.models import (
    ParticipantActivity,
    RollupCurrent,
    RollupMonthDelta,
    RollupOwner,
    RollupParticipant,
)

SUMS = ("total", "weight_sum", "weighted_sum")


@dataclass(frozen=True)
class ActionState:
    """What of an action the rollups depend on."""

    group_id: int
    weight: int
    status: str
    progress: int
    due_date: object
    created_at: object
    participant_ids: frozenset = frozenset()
    last_progress_at: object = None
    initial: tuple = ("open", 0)  # (status, progress) at creation
    events: tuple = ()  # ((at, status, progress), ...) in the order written
    owner_id: int | None = None

    @property
    def _current_key(self):
        return (self.group_id, self.weight, self.status, self.progress)

    @property
    def _trend_key(self):
        return (self.group_id, self.weight, self.due_date, self.created_at, self.initial,
                self.events)

    def with_progress(self, status, progress, at):
        """The state once a progress entry (status, progress) is written at `at`."""
        status = getattr(status, "value", status)
        return replace(self, status=status, progress=progress, last_progress_at=at,
                       events=self.events + ((at, status, progress),))


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


def apply_deltas(group_id, deltas):
    """Add {month index: Figures} to the group's monthly rows (insert or increment)."""
    if not deltas:
        return
    table = RollupMonthDelta.__table__
    _bump_many(table, ("group_id", "month"), FIELDS, [
        dict(group_id=group_id, month=month_start(month),
             **{name: getattr(d, name) for name in FIELDS})
        for month, d in sorted(deltas.items())])


def _upsert():
    dialect = db.session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


_STATEMENTS = {}


def _upsert_statement(table, keys, columns):
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c, with bound parameters.

    Built once per table, dialect and columns: building the expression each time cost more
    than running it, inside the write lock every progress entry holds."""
    dialect = db.session.get_bind().dialect.name
    cache_key = (dialect, table.name, tuple(keys), tuple(columns))
    stmt = _STATEMENTS.get(cache_key)
    if stmt is None:
        stmt = _upsert()(table).values({name: bindparam(name) for name in (*keys, *columns)})
        stmt = _STATEMENTS[cache_key] = stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys],
            set_={name: table.c[name] + stmt.excluded[name] for name in columns})
    return stmt


def _bump_many(table, keys, columns, rows):
    """Add each row's `columns` to the row of its `keys` (insert or increment, atomically),
    in one round trip."""
    if rows:
        db.session.execute(_upsert_statement(table, keys, columns), rows)


def _bump(table, keys, values):
    """Add `values` to the row of `keys` (insert or increment, atomically)."""
    _bump_many(table, tuple(keys), tuple(values), [{**keys, **values}])


def _sums(state, sign):
    return dict(total=sign, weight_sum=sign * state.weight,
                weighted_sum=sign * state.weight * effective_progress(state.status,
                                                                      state.progress))


def _deltas(state):
    return month_deltas(state.created_at, state.weight, state.due_date, state.initial,
                        list(state.events))


def participants_of(action_id):
    return list(db.session.scalars(select(action_participants.c.participant_id).where(
        action_participants.c.action_id == action_id)))


def state_of(action_id, row=None):
    """The action's rollup state as the database holds it now (flushed rows). `row`: its
    columns below, when the caller has just read them (one statement less per write)."""
    a = ActionItem
    if row is None:
        row = db.session.execute(
            select(a.group_id, a.weight, a.status, a.progress, a.due_date, a.created_at,
                   a.last_progress_at, a.owner_id).where(a.id == action_id)).one()
    initial, events = action_history(action_id)
    return ActionState(
        group_id=row.group_id, weight=row.weight, status=row.status.value,
        progress=row.progress, due_date=row.due_date, created_at=row.created_at,
        participant_ids=frozenset(participants_of(action_id)),
        last_progress_at=row.last_progress_at,
        initial=initial or (row.status.value, row.progress), events=tuple(events),
        owner_id=row.owner_id)


def apply_change(before, after):
    """Move every kept summary from an action's `before` state to its `after` state.

    `before` is None for a creation, `after` None for a deletion. Call it once per change,
    after the action's row and participant links are flushed (participant_activity is
    recounted from them when participants are taken off). Every call sets the groups' change
    stamps (wg.stamps): the action changed, if only in what no summary counts (its title, its
    label), and lists kept under the stamps show it.
    """
    scopes = {stamps.group_scope(state.group_id) for state in (before, after) if state}
    if before == after:
        stamps.bump(*scopes)
        return
    b_cur = before._current_key if before else None
    a_cur = after._current_key if after else None
    b_pids = before.participant_ids if before else frozenset()
    a_pids = after.participant_ids if after else frozenset()
    rc, rp = RollupCurrent.__table__, RollupParticipant.__table__
    if b_cur != a_cur:
        _bump_many(rc, ("group_id", "status"), SUMS, [
            dict(group_id=state.group_id, status=ActionStatus(state.status), **_sums(state, sign))
            for state, sign in ((before, -1), (after, 1)) if state is not None])
    if (b_cur, b_pids) != (a_cur, a_pids):
        _bump_many(rp, ("participant_id", "group_id", "status"), SUMS, [
            dict(participant_id=pid, group_id=state.group_id,
                 status=ActionStatus(state.status), **_sums(state, sign))
            for state, sign in ((before, -1), (after, 1)) if state is not None
            for pid in sorted(state.participant_ids)])
    if (before and before._trend_key) != (after and after._trend_key):
        old = _deltas(before) if before else {}
        new = _deltas(after) if after else {}
        if before and after and before.group_id == after.group_id:
            apply_deltas(after.group_id, diff_deltas(old, new))
        else:
            if before:
                apply_deltas(before.group_id, diff_deltas(old, {}))
            if after:
                apply_deltas(after.group_id, diff_deltas({}, new))
    if after is not None and after.last_progress_at is not None and (
            before is None or after.last_progress_at != before.last_progress_at
            or a_pids != b_pids or after.group_id != before.group_id):
        _touch_participants(after.group_id, a_pids, after.last_progress_at)
    if before is not None:
        gone = b_pids - a_pids if after and after.group_id == before.group_id else b_pids
        _recount_activity(before.group_id, gone)
    _move_owner(before, after)
    # Last, so the token's row is held for the shortest time by writers in one group.
    stamps.bump(*scopes)


_OPEN = frozenset(s.value for s in OPEN_STATUSES)


def _owner_key(state):
    return None if state is None or state.owner_id is None else (state.group_id, state.owner_id)


def _move_owner(before, after):
    """rollup_owners: the counts follow the action's owner, group and open-ness, the latest
    entry its progress (one upsert); an owner or group it left is recounted."""
    b_key, a_key = _owner_key(before), _owner_key(after)
    deltas = defaultdict(lambda: [0, 0])
    for key, state, sign in ((b_key, before, -1), (a_key, after, 1)):
        if key is not None:
            deltas[key][0] += sign * (state.status in _OPEN)
            deltas[key][1] += sign
    newer = a_key is not None and after.last_progress_at is not None and (
        b_key != a_key or after.last_progress_at != before.last_progress_at)
    rows = [dict(group_id=key[0], owner_id=key[1], n_open=n_open, total=total,
                 last_progress_at=after.last_progress_at if newer and key == a_key else None)
            for key, (n_open, total) in sorted(deltas.items())
            if n_open or total or (newer and key == a_key)]
    table = RollupOwner.__table__
    if rows:
        cache_key = (db.session.get_bind().dialect.name, table.name, "owners")
        stmt = _STATEMENTS.get(cache_key)
        if stmt is None:
            stmt = _upsert()(table).values(
                {name: bindparam(name)
                 for name in ("group_id", "owner_id", "n_open", "total", "last_progress_at")})
            later = or_(table.c.last_progress_at.is_(None),
                        table.c.last_progress_at < stmt.excluded.last_progress_at)
            stmt = _STATEMENTS[cache_key] = stmt.on_conflict_do_update(
                index_elements=[table.c.group_id, table.c.owner_id],
                set_={"n_open": table.c.n_open + stmt.excluded.n_open,
                      "total": table.c.total + stmt.excluded.total,
                      "last_progress_at": case(
                          (stmt.excluded.last_progress_at.is_not(None) & later,
                           stmt.excluded.last_progress_at),
                          else_=table.c.last_progress_at)})
        db.session.execute(stmt, rows)
    if b_key is not None and b_key != a_key:
        a = ActionItem
        latest = (select(func.max(a.last_progress_at))
                  .where(a.group_id == b_key[0], a.owner_id == b_key[1]).scalar_subquery())
        db.session.execute(table.update().where(
            table.c.group_id == b_key[0], table.c.owner_id == b_key[1])
            .values(last_progress_at=latest))


def _touch_participants(group_id, participant_ids, at):
    """Their latest progress entry in the group is now at least `at`."""
    table = ParticipantActivity.__table__
    if not participant_ids:
        return
    cache_key = (db.session.get_bind().dialect.name, table.name, "touch")
    stmt = _STATEMENTS.get(cache_key)
    if stmt is None:
        stmt = _upsert()(table).values(participant_id=bindparam("participant_id"),
                                       group_id=bindparam("group_id"),
                                       last_progress_at=bindparam("last_progress_at"))
        newer = or_(table.c.last_progress_at.is_(None),
                    table.c.last_progress_at < stmt.excluded.last_progress_at)
        stmt = _STATEMENTS[cache_key] = stmt.on_conflict_do_update(
            index_elements=[table.c.participant_id, table.c.group_id],
            set_={"last_progress_at": case((newer, stmt.excluded.last_progress_at),
                                           else_=table.c.last_progress_at)})
    db.session.execute(stmt, [dict(participant_id=pid, group_id=group_id, last_progress_at=at)
                              for pid in sorted(participant_ids)])


def _recount_activity(group_id, participant_ids):
    """Recompute the latest entry after participants were taken off an action."""
    a, ap = ActionItem.__table__.c, action_participants.c
    table = ParticipantActivity.__table__
    for pid in sorted(participant_ids):
        latest = db.session.scalar(
            select(func.max(a.last_progress_at)).select_from(action_participants)
            .join(ActionItem.__table__, a.id == ap.action_id)
            .where(ap.participant_id == pid, a.group_id == group_id))
        db.session.execute(table.update().where(
            table.c.participant_id == pid, table.c.group_id == group_id)
            .values(last_progress_at=latest))


# --- recount, rebuild, check ---------------------------------------------------------------


@dataclass
class Recount:
    """Every kept summary as a recount from the raw rows would have it (zero rows left out)."""

    current: dict  # (group_id, status) -> (total, weight_sum, weighted_sum)
    participants: dict  # (participant_id, group_id, status) -> (total, weight_sum, weighted_sum)
    activity: dict  # (participant_id, group_id) -> last_progress_at
    months: dict  # (group_id, month first day) -> tuple of FIELDS
    owners: dict  # (group_id, owner_id) -> (n_open, total, last_progress_at)


def _states():
    """(group_id, created_at, weight, due_date, initial, events) of every action, streamed."""
    a = ActionItem
    actions = db.session.execute(
        select(a.id, a.group_id, a.created_at, a.weight, a.due_date, a.status, a.progress)
        .order_by(a.id).execution_options(yield_per=2000))
    logs = db.session.execute(
        select(ProgressLog.action_id, ProgressLog.created_at, ProgressLog.old_status,
               ProgressLog.old_progress, ProgressLog.new_status, ProgressLog.new_progress)
        .order_by(ProgressLog.action_id, ProgressLog.id).execution_options(yield_per=5000))
    pending = next(logs, None)
    for row in actions:
        while pending is not None and pending.action_id < row.id:
            pending = next(logs, None)
        mine = []
        while pending is not None and pending.action_id == row.id:
            mine.append(pending)
            pending = next(logs, None)
        initial = ((mine[0].old_status.value, mine[0].old_progress) if mine
                   else (row.status.value, row.progress))
        events = [(m.created_at, m.new_status.value, m.new_progress) for m in mine]
        yield row.group_id, row.created_at, row.weight, row.due_date, initial, events


def recount():
    """Recount every summary from actions, participant links and progress logs."""
    a, ap = ActionItem.__table__.c, action_participants.c
    weighted = func.sum(a.weight * effective_progress_sql(a.status, a.progress))
    current = {(g, ActionStatus(s).value): (int(n), int(w), int(ws)) for g, s, n, w, ws in
               db.session.execute(select(a.group_id, a.status, func.count(a.id),
                                         func.sum(a.weight), weighted)
                                  .group_by(a.group_id, a.status))}
    join = action_participants.join(ActionItem.__table__, a.id == ap.action_id)
    participants = {(p, g, ActionStatus(s).value): (int(n), int(w), int(ws))
                    for p, g, s, n, w, ws in db.session.execute(
                        select(ap.participant_id, a.group_id, a.status, func.count(a.id),
                               func.sum(a.weight), weighted)
                        .select_from(join).group_by(ap.participant_id, a.group_id, a.status))}
    fix = ActionItem.__table__.c.last_progress_at.type.process_result_value
    activity = {}
    for p, g, at in db.session.execute(
            select(ap.participant_id, a.group_id, func.max(a.last_progress_at))
            .select_from(join).group_by(ap.participant_id, a.group_id)):
        if at is not None:
            activity[(p, g)] = fix(at, None)
    by_group = defaultdict(lambda: defaultdict(Figures))
    for group_id, created_at, weight, due_date, initial, events in _states():
        for m, d in month_deltas(created_at, weight, due_date, initial, events).items():
            by_group[group_id][m].add(d)
    months = {}
    for group_id, per_month in by_group.items():
        for m, fig in per_month.items():
            if any(fig.as_tuple()):
                months[(group_id, month_start(m))] = fig.as_tuple()
    is_open = func.sum(case((a.status.in_(OPEN_STATUSES), 1), else_=0))
    owners = {(g, o): (int(n), int(t), fix(at, None) if at is not None else None)
              for g, o, n, t, at in db.session.execute(
                  select(a.group_id, a.owner_id, is_open, func.count(a.id),
                         func.max(a.last_progress_at))
                  .where(a.owner_id.is_not(None)).group_by(a.group_id, a.owner_id))}
    return Recount(current, participants, activity, months, owners)


def kept():
    """The kept summaries, in the shape of `recount()` (zero rows left out)."""
    c, p = RollupCurrent, RollupParticipant
    current = {(g, s.value): (n, w, ws) for g, s, n, w, ws in db.session.execute(
        select(c.group_id, c.status, c.total, c.weight_sum, c.weighted_sum))
        if (n, w, ws) != (0, 0, 0)}
    participants = {(pid, g, s.value): (n, w, ws) for pid, g, s, n, w, ws in db.session.execute(
        select(p.participant_id, p.group_id, p.status, p.total, p.weight_sum, p.weighted_sum))
        if (n, w, ws) != (0, 0, 0)}
    activity = {(pid, g): at for pid, g, at in db.session.execute(
        select(ParticipantActivity.participant_id, ParticipantActivity.group_id,
               ParticipantActivity.last_progress_at)) if at is not None}
    t = RollupMonthDelta.__table__
    months = {}
    for g, month, *values in db.session.execute(
            select(t.c.group_id, t.c.month, *[t.c[name] for name in FIELDS])):
        if any(values):
            months[(g, month)] = tuple(values)
    o = RollupOwner
    owners = {(g, oid): (n, t, at) for g, oid, n, t, at in db.session.execute(
        select(o.group_id, o.owner_id, o.n_open, o.total, o.last_progress_at))
        if (n, t, at) != (0, 0, None)}
    return Recount(current, participants, activity, months, owners)


def _differences(name, kept_rows, counted_rows):
    out = []
    for key in sorted(set(kept_rows) | set(counted_rows), key=str):
        k, c = kept_rows.get(key), counted_rows.get(key)
        if k != c:
            out.append(f"{name} {key}: kept {k}, recount {c}")
    return out


def check():
    """Every difference between the kept summaries and a recount, one line each ([] = match)."""
    have, want = kept(), recount()
    out = []
    for name, label in (("current", "rollup_current"), ("participants", "rollup_participants"),
                        ("activity", "participant_activity"), ("months", "rollup_month_deltas"),
                        ("owners", "rollup_owners")):
        out += _differences(label, getattr(have, name), getattr(want, name))
    from wg.groups import counts  # the structure's kept counts are checked with the rollups

    return out + counts.check()


def rebuild():
    """Replace every kept summary by a recount from the raw rows (the caller commits)."""
    counted = recount()
    for model in (RollupCurrent, RollupParticipant, ParticipantActivity, RollupMonthDelta,
                  RollupOwner):
        db.session.execute(delete(model))
    rows = [dict(group_id=g, status=ActionStatus(s), total=n, weight_sum=w, weighted_sum=ws)
            for (g, s), (n, w, ws) in counted.current.items()]
    if rows:
        db.session.execute(insert(RollupCurrent), rows)
    rows = [dict(participant_id=p, group_id=g, status=ActionStatus(s), total=n, weight_sum=w,
                 weighted_sum=ws) for (p, g, s), (n, w, ws) in counted.participants.items()]
    if rows:
        db.session.execute(insert(RollupParticipant), rows)
    rows = [dict(participant_id=p, group_id=g, last_progress_at=at)
            for (p, g), at in counted.activity.items()]
    if rows:
        db.session.execute(insert(ParticipantActivity), rows)
    rows = [dict(group_id=g, month=m, **dict(zip(FIELDS, values, strict=True)))
            for (g, m), values in counted.months.items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(RollupMonthDelta), rows[start:start + 5000])
    rows = [dict(group_id=g, owner_id=o, n_open=n, total=t, last_progress_at=at)
            for (g, o), (n, t, at) in counted.owners.items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(RollupOwner), rows[start:start + 5000])
    from wg.groups.models import Group

    stamps.bump(*[stamps.group_scope(g) for g in db.session.scalars(select(Group.id))])
    db.session.flush()
    from wg.groups import counts  # the structure's kept counts are rebuilt with the rollups

    return {"current": len(counted.current), "participants": len(counted.participants),
            "activity": len(counted.activity), "months": len(counted.months),
            "owners": len(counted.owners),
            **counts.rebuild()}
