"""Monthly rules (python-dateutil) and wall-clock times in an anchor zone (zoneinfo + tzdata).

Pure functions over dates and zones: no database, no clock.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import MONTHLY, rrule
from dateutil.rrule import weekday as rr_weekday

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEK_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class NonexistentLocalTime(ValueError):
    """A wall-clock time that a daylight-saving change skips in that zone."""


def zone(name):
    """ZoneInfo for an IANA name; raises ValueError for an unknown or malformed name."""
    if not name or not isinstance(name, str):
        raise ValueError("no time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def monthly_rule(*, kind, first_date, last_date=None, week=None, weekday=None, month_day=None):
    """A dateutil rrule for the series' dates (times are added separately, per zone)."""
    start = datetime.combine(first_date, time())
    until = datetime.combine(last_date, time()) if last_date else None
    if kind == "weekday":
        return rrule(MONTHLY, dtstart=start, until=until, byweekday=rr_weekday(weekday, week))
    if month_day <= 28:
        return rrule(MONTHLY, dtstart=start, until=until, bymonthday=month_day)
    # Day 29-31: the latest of 28..day that the month has, i.e. the day clamped to month end.
    return rrule(MONTHLY, dtstart=start, until=until,
                 bymonthday=tuple(range(28, month_day + 1)), bysetpos=-1)


def occurrence_dates(rule, until):
    """The rule's dates up to and including `until`."""
    dates = []
    for moment in rule:
        if moment.date() > until:
            break
        dates.append(moment.date())
    return dates


def local_to_utc(day, clock, zone_name):
    """The UTC instant of a wall-clock time on a day in a zone; raises NonexistentLocalTime."""
    tz = zone(zone_name)
    local = datetime.combine(day, clock, tzinfo=tz)
    instant = local.astimezone(UTC)
    back = instant.astimezone(tz)
    if (back.date(), back.time().replace(tzinfo=None)) != (day, clock.replace(tzinfo=None)):
        raise NonexistentLocalTime(f"{day} {clock:%H:%M} does not exist in {zone_name}")
    return instant


def describe_rule(kind, week=None, weekday=None, month_day=None):
    if kind == "weekday":
        return f"the {WEEK_NAMES.get(week, week)} {WEEKDAY_NAMES[weekday]} of every month"
    suffix = "th" if 11 <= month_day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(
        month_day % 10, "th")
    extra = " (or the month's last day)" if month_day > 28 else ""
    return f"day {month_day}{suffix} of every month{extra}".replace(
        f"day {month_day}{suffix}", f"the {month_day}{suffix}")


def add_months(day, months):
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, 1)


def horizon(today, months=13):
    """The last date that must be materialized: at least 12 months ahead of today."""
    return add_months(today, months) - timedelta(days=1)
