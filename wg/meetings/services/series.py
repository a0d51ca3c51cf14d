"""Monthly series: create, materialize, change the rule."""

from dataclasses import dataclass, replace

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from wg.extensions import db
from wg.history import services as history
from wg.meetings import recurrence
from wg.meetings.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    RuleKind,
)
from wg.meetings.services import notices, record
from wg.meetings.services.inputs import (
    SeriesInput,
    all_past_error,
    check_series,
    new_uid,
    series_dates,
)


def _series_fields(series, data):
    series.title = data.title.strip()
    series.rule_kind = RuleKind(data.rule_kind)
    series.week = data.week if data.rule_kind == "weekday" else None
    series.weekday = data.weekday if data.rule_kind == "weekday" else None
    series.month_day = data.month_day if data.rule_kind == "monthday" else None
    series.start_time = data.start_time
    series.timezone = data.timezone
    series.duration_minutes = data.duration_minutes
    series.place = (data.place or "").strip()
    series.video_url = (data.video_url or "").strip()
    series.first_date = data.first_date
    series.last_date = data.last_date


def series_input(series):
    return SeriesInput(
        title=series.title, rule_kind=series.rule_kind.value, week=series.week,
        weekday=series.weekday, month_day=series.month_day, start_time=series.start_time,
        timezone=series.timezone, duration_minutes=series.duration_minutes, place=series.place,
        video_url=series.video_url, first_date=series.first_date, last_date=series.last_date,
    )


def describe_series(series):
    return recurrence.describe_rule(series.rule_kind.value, series.week, series.weekday,
                                    series.month_day)


def create_series(group, actor, data, now, include_past=False):
    """A chair's new monthly series; its meetings are materialized at least 12 months ahead.

    Dates before `now` are not created: a series typed with a past first date starts with its
    first future meeting (its first date moves there), so no past meeting claims to be
    'scheduled'. `include_past` keeps them, for loading a group's history (demo data, imports).
    """
    dates = check_series(data, now)
    if not include_past:
        future = [day for day in dates
                  if recurrence.local_to_utc(day, data.start_time, data.timezone) > now]
        if not future:
            raise all_past_error()
        if future[0] > data.first_date:
            data = replace(data, first_date=future[0])
    series = MeetingSeries(group_id=group.id, created_at=now, updated_at=now)
    _series_fields(series, data)
    db.session.add(series)
    db.session.flush()
    series.group = group
    record.series_changed(series, None, actor, now, "created")
    extend_series(series, now, actor=actor, include_past=include_past)
    return series


def _meeting_row(series, day, now):
    return dict(
        uid=new_uid(), group_id=series.group_id, series_id=series.id, occurrence_date=day,
        start_at=recurrence.local_to_utc(day, series.start_time, series.timezone),
        duration_minutes=series.duration_minutes, timezone=series.timezone, title=series.title,
        place=series.place, video_url=series.video_url, status=MeetingStatus.scheduled,
        cancel_reason="", is_edited=False, is_extra=False, sequence=0, minutes_md="",
        minutes_html="", created_at=now, updated_at=now, version=1,
    )


def _add_meetings(series, rows, actor, now, collect=None):
    """Insert the meetings and record each one's creation (`collect`: see record)."""
    if not rows:
        return
    meetings = [Meeting(**row) for row in rows]
    db.session.add_all(meetings)
    db.session.flush()
    for meeting in meetings:
        meeting.group = series.group
        record.meeting_changed(meeting, None, actor, now, "created", notify=False,
                               collect=collect)


def extend_series(series, now, until=None, actor=None, include_past=False):
    """Add the series' missing meetings up to `until` (default: 12+ months ahead). Idempotent.

    Dates already past are history and are not added (unless `include_past`): a changed rule
    never fills the past with meetings that did not take place.
    """
    until = until or recurrence.horizon(now.date())
    if series.last_date:
        until = min(until, series.last_date)
    dates = series_dates(series_input(series), until)
    have = set(db.session.scalars(
        select(Meeting.occurrence_date).where(Meeting.series_id == series.id)))
    rows = []
    for day in dates:
        if day in have:
            continue
        try:
            row = _meeting_row(series, day, now)
        except recurrence.NonexistentLocalTime:
            continue  # checked when the series was saved; a later tzdata change skips the day
        if include_past or row["start_at"] > now:
            rows.append(row)
    # Materializing the rule is not news: the series was announced when it was made or changed.
    _add_meetings(series, rows, actor, now)
    series.materialized_until = max(until, series.materialized_until or until)
    db.session.flush()
    return len(rows)


def extend_all_series(now):
    """Keep every open series materialized 12+ months ahead (run daily or on demand)."""
    added = 0
    horizon = recurrence.horizon(now.date())
    for series in db.session.scalars(select(MeetingSeries).where(
            or_(MeetingSeries.materialized_until.is_(None),
                MeetingSeries.materialized_until < horizon))):
        added += extend_series(series, now)
    return added


@dataclass
class SeriesChange:
    changed: int = 0
    kept: int = 0  # future meetings edited by hand, left as they were
    added: int = 0
    cancelled: int = 0
    queued: int = 0  # e-mails to members

    def message(self):
        # Each clause is whole in itself (its number and verb together), so it translates alone.
        parts = [ngettext("%(num)d future meeting updated", "%(num)d future meetings updated",
                          self.changed)]
        if self.added:
            parts.append(ngettext("%(num)d added", "%(num)d added", self.added))
        if self.cancelled:
            parts.append(ngettext("%(num)d no longer on the rule and cancelled",
                                  "%(num)d no longer on the rule and cancelled", self.cancelled))
        if self.kept:
            parts.append(ngettext("%(num)d edited by hand kept as it was",
                                  "%(num)d edited by hand kept as they were", self.kept))
        return _("Series saved: %(changes)s.", changes=_(", ").join(parts))


SERIES_MOVED_REASON = "The series' schedule changed; this date is no longer part of it."


def update_series(series, actor, data, now, expected_version=None):
    """Change the series; its future meetings not edited by hand follow, the past stays.

    Future dates that leave the rule are cancelled (kept so calendars drop them); dates that
    join it are added. Every meeting that changes, is cancelled or added gets its history entry
    and its notices. Returns a SeriesChange that says what happened.
    """
    record.check("series", series, expected_version)
    check_series(data, now)
    before_series = history.snapshot(series, record.SERIES_FIELDS)
    _series_fields(series, data)
    series.updated_at = now
    record.series_changed(series, before_series, actor, now, "updated")
    record.flush("series", series, expected_version)
    change = SeriesChange()
    changed = []  # (meeting, notice kind) for the members' one mail
    until = recurrence.horizon(now.date())
    wanted = set(series_dates(data, min(until, data.last_date) if data.last_date else until))
    future = db.session.scalars(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.start_at > now)).all()
    for meeting in future:
        if meeting.is_edited:
            change.kept += 1
            continue
        before = history.snapshot(meeting, record.MEETING_FIELDS)
        if meeting.occurrence_date in wanted:
            meeting.start_at = recurrence.local_to_utc(
                meeting.occurrence_date, series.start_time, series.timezone)
            meeting.timezone = series.timezone
            meeting.duration_minutes = series.duration_minutes
            meeting.title, meeting.place = series.title, series.place
            meeting.video_url = series.video_url
            if meeting.status is MeetingStatus.cancelled:
                meeting.status, meeting.cancel_reason = MeetingStatus.scheduled, ""
            verb = ("restored" if before["status"] == MeetingStatus.cancelled.value
                    else "rescheduled")
            record.meeting_changed(meeting, before, actor, now, verb,
                                   reason="The series' schedule changed.", collect=changed)
            change.changed += 1
        elif meeting.status is not MeetingStatus.cancelled:
            meeting.status = MeetingStatus.cancelled
            meeting.cancel_reason = SERIES_MOVED_REASON
            record.meeting_changed(meeting, before, actor, now, "cancelled",
                                   reason=SERIES_MOVED_REASON, collect=changed)
            change.cancelled += 1
    db.session.flush()
    # Dates before now that the new rule would add are history; only add future ones.
    have = {m.occurrence_date for m in future} | set(db.session.scalars(
        select(Meeting.occurrence_date).where(Meeting.series_id == series.id)))
    rows = []
    for day in sorted(wanted - have):
        row = _meeting_row(series, day, now)
        if row["start_at"] > now:
            rows.append(row)
    _add_meetings(series, rows, actor, now, collect=changed)
    change.added = len(rows)
    series.materialized_until = until
    db.session.flush()
    # One mail per member about the whole change, with the calendars of every meeting it moved,
    # cancelled or added.
    change.queued = notices.series_changed(series, changed, actor, now)
    return change
