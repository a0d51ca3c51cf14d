"""Monthly rules (python-dateutil) and wall-clock times in an anchor zone (zoneinfo + tzdata).

Pure functions over dates and zones: no database, no clock.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import MONTHLY, rrule
from dateutil.rrule import weekday as rr_weekday
from flask_babel import gettext as _

from wg import formatting


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
    """'the second Tuesday of every month' / 'the 31st of every month (or the month's last
    day)', in the current language (whole sentences, so each language orders its words)."""
    if kind == "weekday":
        day = _weekday_name(weekday)
        phrase = WEEK_PHRASES.get(week)
        return phrase(day) if phrase else f"{week} {day}"
    # English ordinals ('1st', '2nd', '3rd', '4th') by the language's ordinal plural category.
    category = formatting.locale().ordinal_form(month_day)
    phrase = (_MONTH_DAY_LONG if month_day > 28 else _MONTH_DAY).get(category, _MONTH_DAY["other"])
    return phrase(formatting.format_number(month_day))


def _weekday_name(weekday):
    from babel import dates

    names = dates.get_day_names("wide", context="format", locale=formatting.locale())
    return names[weekday]


WEEK_PHRASES = {
    1: lambda day: _("the first %(weekday)s of every month", weekday=day),
    2: lambda day: _("the second %(weekday)s of every month", weekday=day),
    3: lambda day: _("the third %(weekday)s of every month", weekday=day),
    4: lambda day: _("the fourth %(weekday)s of every month", weekday=day),
    -1: lambda day: _("the last %(weekday)s of every month", weekday=day),
}
_MONTH_DAY = {
    "one": lambda n: _("the %(day)sst of every month", day=n),
    "two": lambda n: _("the %(day)snd of every month", day=n),
    "few": lambda n: _("the %(day)srd of every month", day=n),
    "other": lambda n: _("the %(day)sth of every month", day=n),
}
_MONTH_DAY_LONG = {
    "one": lambda n: _("the %(day)sst of every month (or the month's last day)", day=n),
    "two": lambda n: _("the %(day)snd of every month (or the month's last day)", day=n),
    "few": lambda n: _("the %(day)srd of every month (or the month's last day)", day=n),
    "other": lambda n: _("the %(day)sth of every month (or the month's last day)", day=n),
}


def add_months(day, months):
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, 1)


def horizon(today, months=13):
    """The last date that must be materialized: at least 12 months ahead of today."""
    return add_months(today, months) - timedelta(days=1)
