"""Checking what chairs type: series and single-meeting input, shared constants."""

import re
import uuid
from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _

from wg import formatting
from wg.errors import ValidationError
from wg.meetings import recurrence
from wg.meetings.models import (
    RuleKind,
)

MIN_DURATION, MAX_DURATION = 15, 8 * 60
DEFAULT_ALARM_MINUTES = 30
ALARM_CHOICES = [0, 10, 15, 30, 60, 120, 1440]
URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.I)


def _date_range_message():
    return _("Choose a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)


def _nonexistent_message(clock, zone_name, day):
    return _("%(time)s does not exist in %(zone)s on %(date)s (the clocks jump forward). "
             "Choose another time.", time=formatting.format_clock(clock), zone=zone_name,
             date=formatting.format_date(day))


def all_past_error():
    return ValidationError({"first_date": _(
        "Every date of this series is in the past. Choose a first date from today on.")})


def new_uid():
    return f"{uuid.uuid4().hex}@coalition-tracker"


# ---------------------------------------------------------------- input checking


@dataclass
class SeriesInput:
    title: str
    rule_kind: str
    week: int | None
    weekday: int | None
    month_day: int | None
    start_time: time
    timezone: str
    duration_minutes: int
    place: str
    video_url: str
    first_date: date
    last_date: date | None


FIRST_YEAR, LAST_YEAR = 2000, 2100


def _plausible(day):
    return FIRST_YEAR <= day.year <= LAST_YEAR


def check_length(errors, name, value, limit):
    """Text longer than its column is refused with the limit, never cut to fit."""
    if value is not None and len(value) > limit:
        errors[name] = _("At most %(max)d characters (you typed %(length)d).", max=limit,
                         length=len(value))


def _check_common(errors, *, title, timezone, duration_minutes, video_url, start_time,
                  place=""):
    if not (title or "").strip():
        errors["title"] = _("Give the meeting a title.")
    check_length(errors, "title", title, 200)
    check_length(errors, "place", place, 300)
    check_length(errors, "video_url", video_url, 500)
    try:
        recurrence.zone(timezone)
    except ValueError:
        errors["timezone"] = _("Unknown time zone. Choose an IANA zone such as Europe/Vienna.")
    if duration_minutes is None or not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = (
            _("A meeting lasts between %(minutes)s minutes and %(hours)s hours.",
              minutes=MIN_DURATION, hours=MAX_DURATION // 60)
        )
    if video_url and not URL_RE.match(video_url):
        errors["video_url"] = _("The video link must start with https:// (or http://).")
    if start_time is None:
        errors["start_time"] = _("Give a start time such as 14:00.")


def series_dates(data, until):
    rule = recurrence.monthly_rule(
        kind=data.rule_kind, first_date=data.first_date, last_date=data.last_date,
        week=data.week, weekday=data.weekday, month_day=data.month_day,
    )
    return recurrence.occurrence_dates(rule, until)


def check_series(data, now):
    """Raise ValidationError (per field) unless the series makes sense; return its dates."""
    errors = {}
    _check_common(errors, title=data.title, timezone=data.timezone,
                  duration_minutes=data.duration_minutes, video_url=data.video_url,
                  start_time=data.start_time, place=data.place)
    if data.rule_kind == RuleKind.weekday.value:
        if data.week not in (1, 2, 3, 4, -1):
            errors["week"] = _("Choose first, second, third, fourth or last.")
        if data.weekday not in range(7):
            errors["weekday"] = _("Choose a day of the week.")
    elif data.rule_kind == RuleKind.monthday.value:
        if data.month_day is None or not 1 <= data.month_day <= 31:
            errors["month_day"] = _("Choose a day of the month from 1 to 31.")
    else:
        errors["rule_kind"] = _("Choose how the meeting repeats.")
    if data.first_date is None:
        errors["first_date"] = _("Give the first date.")
    elif not _plausible(data.first_date):
        errors["first_date"] = _date_range_message()
    elif data.last_date is not None and not _plausible(data.last_date):
        errors["last_date"] = _date_range_message()
    elif data.last_date is not None and data.last_date < data.first_date:
        errors["last_date"] = _("The last date is before the first date.")
    if errors:
        raise ValidationError(errors)
    until = data.last_date or recurrence.horizon(max(now.date(), data.first_date))
    dates = series_dates(data, until)
    if not dates:
        raise ValidationError({"last_date": _("No meeting falls between the first and last date "
                                              "with this rule. Widen the dates or change the rule.")})
    for day in dates:
        try:
            recurrence.local_to_utc(day, data.start_time, data.timezone)
        except recurrence.NonexistentLocalTime:
            raise ValidationError({"start_time": (
                _nonexistent_message(data.start_time, data.timezone, day))}) from None
    return dates


@dataclass
class MeetingInput:
    title: str
    day: date
    start_time: time
    timezone: str
    duration_minutes: int
    place: str
    video_url: str


def check_meeting(data):
    """Raise ValidationError unless a single meeting's fields make sense; return its start."""
    errors = {}
    _check_common(errors, title=data.title, timezone=data.timezone,
                  duration_minutes=data.duration_minutes, video_url=data.video_url,
                  start_time=data.start_time, place=data.place)
    if data.day is None:
        errors["day"] = _("Give the date.")
    elif not _plausible(data.day):
        errors["day"] = _date_range_message()
    if errors:
        raise ValidationError(errors)
    try:
        return recurrence.local_to_utc(data.day, data.start_time, data.timezone)
    except recurrence.NonexistentLocalTime:
        raise ValidationError({"start_time": (
            _nonexistent_message(data.start_time, data.timezone, data.day))}) from None
