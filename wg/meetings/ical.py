"""RFC 5545 calendars built with the icalendar package.

Each meeting keeps one UID for life; SEQUENCE is the meeting's own counter, raised on every
change; cancelled meetings stay in the feed with STATUS:CANCELLED so calendar programs drop
them; start times carry their anchor zone (TZID, with VTIMEZONE components).
"""

from datetime import date, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, Timezone

from wg.meetings.models import MeetingStatus
from wg.meetings.recurrence import zone

PRODID = "-//Coalition working-group tracker//meetings//EN"


def _event(meeting, url, alarm_minutes, now):
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", now)
    event.add("sequence", meeting.sequence)
    local_start = meeting.start_at.astimezone(zone(meeting.timezone))
    event.add("dtstart", local_start)
    event.add("dtend", local_start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"{meeting.group.code}: {meeting.title}")
    description = [f"{meeting.group.code} · {meeting.group.title}"]
    if meeting.is_cancelled:
        event.add("status", "CANCELLED")
        description.append(f"Cancelled: {meeting.cancel_reason}")
    else:
        event.add("status", "CONFIRMED")
    if meeting.video_url:
        description.append(f"Video link: {meeting.video_url}")
        event.add("conference", meeting.video_url, parameters={"VALUE": "URI"})
    description.append(f"Meeting page: {url}")
    event.add("description", "\n".join(description))
    location = meeting.place or meeting.video_url
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("last-modified", meeting.updated_at)
    if alarm_minutes and meeting.status is not MeetingStatus.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{meeting.group.code}: {meeting.title}")
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


@lru_cache(maxsize=128)
def _vtimezone(tzid):
    """The VTIMEZONE of a zone, built once per process (it only changes with tzdata)."""
    if tzid == "UTC":
        return None
    return Timezone.from_tzid(tzid, first_date=date(2000, 1, 1), last_date=date(2038, 1, 1))


def build_calendar(meetings, *, name, url_for_meeting, alarm_minutes, now):
    """A VCALENDAR with one VEVENT per meeting and the VTIMEZONEs they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for tzid in sorted({m.timezone for m in meetings}):
        component = _vtimezone(tzid)
        if component is not None:
            cal.add_component(component)
    for meeting in meetings:
        cal.add_component(_event(meeting, url_for_meeting(meeting), alarm_minutes, now))
    return cal.to_ical()
