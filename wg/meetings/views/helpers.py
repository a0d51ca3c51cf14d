"""Template globals and filters, and the `flask meetings extend` command."""

from datetime import timedelta

from babel import dates

from wg import formatting, permissions
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings import bp, recurrence
from wg.meetings import services as meetings


@bp.app_template_global()
def upcoming_meetings_for(person):
    return meetings.upcoming_for(person, utcnow())


@bp.app_template_global()
def meeting_display_status(meeting):
    return meetings.display_status(meeting, utcnow())


@bp.app_template_global()
def group_attendance(group):
    return meetings.attendance_over_time(group)


@bp.app_template_global()
def participant_attendance_for(participant, person):
    return meetings.participant_attendance(participant, permissions.visible_group_ids(person))


@bp.app_template_filter("meeting_time")
def meeting_time(meeting, zone_name, style="full"):
    """'Tue 10 Mar 2026, 08:00–09:30' in the viewer's zone and language (a heading's date and
    times; no zone abbreviation: 'CST' is three zones); other styles as `format_datetime`."""
    if style == "full":
        return meeting_when(meeting, zone_name)["yours"]
    return formatting.format_datetime(meeting.start_at, _zone_name(zone_name), style)


@bp.app_template_global()
def meeting_when(meeting, zone_name):
    """See formatting.meeting_when: the viewer's day and range, and the anchor zone's range."""
    return formatting.meeting_when(meeting.start_at, meeting.duration_minutes,
                                   _zone_name(zone_name), _zone_name(meeting.timezone))


@bp.app_template_filter("meeting_range")
def meeting_range(meeting, zone_name):
    """'07:00–08:30': the meeting's start and end in a zone (the month grid, short lists)."""
    end_at = meeting.start_at + timedelta(minutes=meeting.duration_minutes)
    return formatting.format_time_range(meeting.start_at, end_at, _zone_name(zone_name))


@bp.app_template_filter("anchor_time")
def anchor_time(meeting):
    """'14:00 Vienna (CET)': the meeting's time where it is anchored."""
    local = meeting.start_at.astimezone(recurrence.zone(meeting.timezone))
    return f"{formatting.format_clock(local)} {formatting.zone_city(meeting.timezone)} ({local.tzname()})"


@bp.app_template_filter("local_day")
def local_day(meeting):
    """'Tuesday 10 November 2026': the meeting's date in its anchor zone."""
    local = meeting.start_at.astimezone(recurrence.zone(meeting.timezone))
    return formatting.format_date(local, "long_date")


@bp.app_template_filter("local_dt")
def local_dt(value, zone_name, style="day_time"):
    return formatting.format_datetime(value, _zone_name(zone_name), style)


@bp.app_template_filter("weekday_clock")
def weekday_clock(value):
    """'Tue 08:00': an already-local datetime's weekday and time in the viewer's language."""
    return dates.format_skeleton("EHm", value, locale=formatting.locale())


@bp.app_template_filter("weekday_date")
def weekday_date(value):
    """'Tue, 10 Mar 2026': a day with its weekday in the viewer's language."""
    return dates.format_skeleton("yMMMEd", value, locale=formatting.locale())


@bp.app_template_filter("skeleton")
def skeleton(value, pattern):
    """A date or local datetime by a CLDR skeleton ('yMMMM' → 'March 2026', 'Ed' → 'Tue 10')."""
    return dates.format_skeleton(pattern, value, locale=formatting.locale())


@bp.app_template_global()
def weekday_names():
    """Monday to Sunday, abbreviated, in the viewer's language (the month grid's header)."""
    names = dates.get_day_names("abbreviated", context="stand-alone", locale=formatting.locale())
    return [names[i] for i in range(7)]


def _zone_name(zone_name):
    try:
        recurrence.zone(zone_name)
    except ValueError:
        return "UTC"
    return zone_name


@bp.cli.command("extend")
def extend_command():
    """Materialize every series' meetings at least 12 months ahead."""
    added = meetings.extend_all_series(utcnow())
    db.session.commit()
    print(f"{added} meetings added.")
