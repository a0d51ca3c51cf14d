"""A group's meeting list and the coalition's month calendar."""

from datetime import date, timedelta

from flask import (
    render_template,
    request,
)
from flask_login import current_user

from wg import permissions
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import bp, recurrence
from wg.meetings import services as meetings


@bp.route("/groups/<slug>/meetings")
def group_list(slug):
    group = permissions.group_for_meetings(current_user, slug)
    past = request.args.get("past") == "1"
    page = request.args.get("page", 1, type=int)
    now = utcnow()
    pagination = meetings.group_meetings(group, now, past=past, page=max(page, 1),
                                       person=current_user)
    series = db.session.scalars(
        db.select(meetings.MeetingSeries).where(meetings.MeetingSeries.group_id == group.id)
        .order_by(meetings.MeetingSeries.id)).all()
    return render_template("meetings/group_list.html", group=group, page=pagination, past=past,
                           series_list=series, now=now, describe=meetings.describe_series,
                           attendance=meetings.attendance_over_time(group))


@bp.route("/meetings/calendar")
def month():
    permissions.require_meeting_calendar(current_user)
    today = utcnow().date()
    try:
        year, mon = (int(x) for x in request.args.get("month", "").split("-"))
        first = date(year, mon, 1)
        if not meetings.FIRST_YEAR <= year <= meetings.LAST_YEAR:
            raise ValueError(year)
    except (TypeError, ValueError):
        first = today.replace(day=1)
    group_ids = permissions.visible_group_ids(current_user)
    rows = meetings.month_meetings(group_ids, first.year, first.month, person=current_user)
    zone = current_user.timezone
    by_day = {}
    for m in rows:
        local = m.start_at.astimezone(recurrence.zone(zone) if _zone_ok(zone) else None)
        if (local.year, local.month) == (first.year, first.month):
            by_day.setdefault(local.day, []).append((m, local))
    weeks = _month_grid(first)
    return render_template("meetings/month.html", first=first, weeks=weeks, by_day=by_day,
                           prev=recurrence.add_months(first, -1),
                           next=recurrence.add_months(first, 1), today=today, count=len(
                               [1 for v in by_day.values() for _ in v]))


def _zone_ok(name):
    try:
        recurrence.zone(name)
        return True
    except ValueError:
        return False


def _month_grid(first):
    start = first - timedelta(days=first.weekday())
    weeks, day = [], start
    last = recurrence.add_months(first, 1)
    while day < last:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks
