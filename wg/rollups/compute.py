"""Rollup figures as pure functions over plain rows (no database).

These are the definitions from DESIGN.md; the SQL in rollups/queries.py must agree with them,
and the tests recount every figure a page shows with the functions here.

For any set of actions, dropped actions excluded:
  total and counts by status; percent_complete = sum(weight * p) / sum(weight) with p = 100 for
  done actions and their progress otherwise; overdue = not done and due date before today (UTC);
  stale = not done and no progress log (nor creation) in the last 30 days.
The figures "at the end of month M" are those as they stood at the first instant of the next
month: the state from the last log entry before that instant, today = M's last day.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from wg.rollups.formulas import (  # the rules themselves
    STALE_DAYS,
    effective_progress,
    is_counted,
    is_overdue,
    is_stale,
)

COUNTED_STATUSES = ("open", "in_progress", "blocked", "done")
FIELDS = ("total", "n_open", "n_in_progress", "n_blocked", "n_done", "weight_sum",
          "weighted_sum", "overdue", "stale")

# Shown in each page's "How is this computed?" disclosure, in the reader's language (lazy:
# translated when rendered).
EXPLAIN = {
    "percent": _l("Percent complete = Σ(weight × progress) ÷ Σ(weight) over non-dropped actions, "
                  "counting done actions as 100 %; each action's weight is set by its chair "
                  "(default 1)."),
    "total": _l("Actions of the group, excluding dropped ones."),
    "status": _l("Number of non-dropped actions in each status right now."),
    "overdue": _l("Actions not done (and not dropped) whose due date is before today's date in "
                  "UTC."),
    "stale": _l("Actions not done (and not dropped) with no progress entry, nor creation, in the "
                "last %(days)d days.", days=STALE_DAYS),
    "trend": _l("Each month's figures as they stood at the end of that month, rebuilt from the "
                "progress log entries made up to then (current weights and due dates)."),
    "participant": _l("Actions a country or organization is responsible for, excluding dropped "
                      "ones; percent complete weighted as above; last update = latest progress "
                      "entry on any of them."),
    "not_reported": _l("Owners and countries or organizations with open actions here and no "
                       "progress entry on any of their actions since the start of the current "
                       "reporting cycle (the last meeting of the action's group, else the first "
                       "day of the month); days since last report count from their latest "
                       "progress entry here."),
}


def percent(weighted_sum, weight_sum):
    """Σ(w×p)/Σ(w) rounded half-up to one decimal, in exact integer arithmetic (None if empty)."""
    if not weight_sum:
        return None
    tenths = (weighted_sum * 20 + weight_sum) // (2 * weight_sum)
    return tenths / 10


@dataclass
class Figures:
    total: int = 0
    n_open: int = 0
    n_in_progress: int = 0
    n_blocked: int = 0
    n_done: int = 0
    weight_sum: int = 0
    weighted_sum: int = 0
    overdue: int = 0
    stale: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def percent_complete(self):
        return percent(self.weighted_sum, self.weight_sum)

    def add(self, other, sign=1):
        for name in FIELDS:
            setattr(self, name, getattr(self, name) + sign * getattr(other, name))
        return self

    def as_tuple(self):
        return tuple(getattr(self, name) for name in FIELDS)

    def as_dict(self):
        d = {name: getattr(self, name) for name in FIELDS}
        d["percent_complete"] = self.percent_complete
        return d


def _status_value(status):
    return getattr(status, "value", status)


def contribution(weight, status, progress, due_date, last_activity_at, today, now):
    """One action's part in each figure, as a Figures (all zero when dropped)."""
    status = _status_value(status)
    f = Figures()
    if not is_counted(status):
        return f
    f.total = 1
    setattr(f, "n_" + status, 1)
    f.weight_sum = weight
    f.weighted_sum = weight * effective_progress(status, progress)
    f.overdue = int(is_overdue(status, due_date, today))
    f.stale = int(is_stale(status, last_activity_at, now))
    return f


def figures(rows, today, now):
    """Figures for rows with weight, status, progress, due_date and last_activity_at."""
    total = Figures()
    for r in rows:
        total.add(contribution(r["weight"], r["status"], r["progress"], r["due_date"],
                               r["last_activity_at"], today, now))
    return total


# Months are counted as integers: year * 12 + (month - 1).


def month_index(value):
    return value.year * 12 + value.month - 1


def month_start(index):
    return date(index // 12, index % 12 + 1, 1)


def month_end_instant(index):
    """The first instant after month `index` ends (UTC)."""
    nxt = month_start(index + 1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC)


def month_last_day(index):
    return month_start(index + 1) - timedelta(days=1)


def state_at(action, logs, instant):
    """(status, progress, last_activity_at) of an action at an instant, or None before creation.

    `logs` are the action's entries (created_at, new_status, new_progress, old_status,
    old_progress) in the order they were written; the state is that of the latest entry before
    the instant (ties keep the written order).
    """
    if action["created_at"] >= instant:
        return None
    if logs:
        status, progress = logs[0]["old_status"], logs[0]["old_progress"]
    else:
        status, progress = action["status"], action["progress"]
    last = action["created_at"]
    for log in sorted(logs, key=lambda entry: entry["created_at"]):
        if log["created_at"] < instant:
            status, progress = log["new_status"], log["new_progress"]
            last = max(last, log["created_at"])
    return _status_value(status), progress, last


def figures_at(actions, logs_by_action, month):
    """From scratch: the figures of these actions as they stood at the end of `month`."""
    instant = month_end_instant(month)
    today = month_last_day(month)
    total = Figures()
    for a in actions:
        state = state_at(a, logs_by_action.get(a["id"], []), instant)
        if state is None:
            continue
        status, progress, last = state
        total.add(contribution(a["weight"], status, progress, a["due_date"], last, today,
                               instant))
    return total


def month_deltas(created_at, weight, due_date, initial, events):
    """How one action changes each month-end figure: {month index: Figures delta}.

    `initial` is (status, progress) at creation; `events` are (created_at, status, progress) in
    the order written. Beyond the last month returned nothing changes any more unless a new
    event happens, so summing the deltas up to month M gives the action's figures at M's end.
    """
    start = month_index(created_at)
    events = sorted(events, key=lambda e: e[0])
    last_event = max([created_at] + [e[0] for e in events])
    end = max(start, month_index(due_date) + 1,
              month_index(last_event + timedelta(days=STALE_DAYS + 1)))
    out = {}
    previous = Figures()
    status, progress = initial
    last = created_at
    i = 0
    for m in range(start, end + 1):
        instant = month_end_instant(m)
        while i < len(events) and events[i][0] < instant:
            _, status, progress = events[i]
            last = max(last, events[i][0])
            i += 1
        current = contribution(weight, status, progress, due_date, last, month_last_day(m),
                               instant)
        if current.as_tuple() != previous.as_tuple():
            out[m] = Figures().add(current).add(previous, -1)
        previous = current
    return out


def diff_deltas(old, new):
    """new - old, month by month, dropping zeros."""
    out = {}
    for m in set(old) | set(new):
        d = Figures()
        if m in new:
            d.add(new[m])
        if m in old:
            d.add(old[m], -1)
        if any(d.as_tuple()):
            out[m] = d
    return out


def trend_months(now, count=18):
    """The last `count` complete months before now, oldest first (month indexes)."""
    current = month_index(now)
    return list(range(current - count, current))
