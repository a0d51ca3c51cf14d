"""Monthly meetings: series, single meetings, agenda, RSVP, attendance, minutes, calendars."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, cli_group="meetings")

from wg.meetings import views  # noqa: E402,F401
