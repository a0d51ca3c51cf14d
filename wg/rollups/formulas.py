"""The rollup rules, each written once in Python and once in SQL, side by side.

From DESIGN.md, for any set of actions, dropped actions excluded:
  p = 100 for a done action, else its progress; percent_complete = Σ(weight × p) / Σ(weight);
  overdue = not done and due date before today (UTC date);
  stale = not done and no progress entry (nor creation) in the last STALE_DAYS days.
"Not done" for overdue and stale also leaves out dropped actions (they are not counted at all).

Everything else (compute.py, queries.py, summary.py, the action model, the CSV export) calls
these functions; a test checks that each Python rule and its SQL twin agree row by row.
"""

from datetime import timedelta

from sqlalchemy import case

STALE_DAYS = 30
DONE = "done"
DROPPED = "dropped"
CLOSED = (DONE, DROPPED)


def _value(status):
    return getattr(status, "value", status)


def _open_enums():
    # "Not done and not dropped" as an IN list, so the (status, ...) indexes give range scans.
    from wg.actions.models import OPEN_STATUSES  # late: wg.rollups imports actions.models

    return list(OPEN_STATUSES)


def is_counted(status):
    """Dropped actions are left out of every figure."""
    return _value(status) != DROPPED


def effective_progress(status, progress):
    """Done counts as 100 %, whatever progress was typed; otherwise the progress."""
    return 100 if _value(status) == DONE else progress


def effective_progress_sql(status_col, progress_col):
    from wg.actions.models import ActionStatus

    return case((status_col == ActionStatus.done, 100), else_=progress_col)


def stale_before(now):
    """The instant before which the latest activity makes an open action stale."""
    return now - timedelta(days=STALE_DAYS)


def is_overdue(status, due_date, today):
    return _value(status) not in CLOSED and due_date < today


def overdue_sql(status_col, due_col, today):
    return status_col.in_(_open_enums()) & (due_col < today)


def is_stale(status, last_activity_at, now):
    return _value(status) not in CLOSED and last_activity_at < stale_before(now)


def stale_sql(status_col, last_activity_col, now):
    return status_col.in_(_open_enums()) & (last_activity_col < stale_before(now))
