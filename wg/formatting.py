"""Jinja filters for dates, times and numbers."""

from datetime import UTC
from zoneinfo import ZoneInfo


def to_zone(value, zone_name):
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (KeyError, ValueError):
        zone = UTC
    return value.astimezone(zone)


def format_datetime(value, zone_name="UTC", fmt="%a %d %b %Y, %H:%M"):
    if value is None:
        return ""
    local = to_zone(value, zone_name)
    return f"{local.strftime(fmt)} {local.tzname()}"


def format_date(value, fmt="%d %b %Y"):
    if value is None:
        return ""
    return value.strftime(fmt)


def register(app):
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
