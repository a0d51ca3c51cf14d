"""Calendar feeds parsed back by icalendar and by a second consumer (recurring-ical-events)."""

from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from tests import factories
from tests.meetings.helpers import make_series
from wg.extensions import db
from wg.meetings import ical, services
from wg.meetings.models import Meeting


@pytest.fixture()
def feed(ctx, now):
    world = factories.coalition()
    group, chair, member = (world["groups"]["SWG1.1"], world["people"]["chair"],
                            world["people"]["member"])
    series = make_series(group, chair, now)
    meetings = db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                                  .order_by(Meeting.start_at)).all()
    services.cancel_meeting(meetings[4], chair, "Clashes with the CND", now)
    services.set_alarm_minutes(member, 15)

    def build(person=member):
        return ical.build_calendar(
            services.feed_meetings(person, now), name=f"Coalition meetings · {person.name}",
            url_for_meeting=lambda m: f"https://tracker.example.org/meetings/{m.id}",
            alarm_minutes=services.alarm_minutes(person), now=now)

    return dict(build=build, meetings=meetings, chair=chair, member=member, now=now)


def test_feed_is_valid_and_carries_what_calendars_need(feed):
    cal = Calendar.from_ical(feed["build"]())
    assert str(cal["X-WR-CALNAME"]).startswith("Coalition meetings")
    events = cal.walk("VEVENT")
    meetings = feed["meetings"]
    assert len(events) == len(meetings)
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {m.uid for m in meetings}
    first = by_uid[meetings[0].uid]
    start = first.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/Vienna" and (start.hour, start.minute) == (14, 0)
    assert first["DTSTART"].params["TZID"] == "Europe/Vienna"
    assert str(first["URL"]) == f"https://tracker.example.org/meetings/{meetings[0].id}"
    assert "https://video.example.org/swg11" in str(first["DESCRIPTION"])
    alarm = first.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-15)
    cancelled = by_uid[meetings[4].uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"Europe/Vienna"}


def test_sequence_rises_with_each_change_and_uid_stays(feed):
    meeting = feed["meetings"][6]
    uid = meeting.uid

    def event():
        cal = Calendar.from_ical(feed["build"]())
        return next(e for e in cal.walk("VEVENT") if str(e["UID"]) == uid)

    assert int(event()["SEQUENCE"]) == 0
    moved = services.meeting_input(meeting)
    moved.place = "Room 2"  # a change calendars must see (a save that changes nothing is none)
    services.reschedule_meeting(meeting, feed["chair"], moved, feed["now"])
    assert int(event()["SEQUENCE"]) == 1
    services.cancel_meeting(meeting, feed["chair"], "No quorum", feed["now"])
    assert int(event()["SEQUENCE"]) == 2 and str(event()["STATUS"]) == "CANCELLED"
    assert meeting.uid == uid


def test_second_consumer_gives_the_same_instants(feed):
    body = feed["build"]()
    cal = Calendar.from_ical(body)
    ours = sorted(e.decoded("DTSTART").astimezone(UTC) for e in cal.walk("VEVENT"))
    theirs = sorted(
        e.decoded("DTSTART").astimezone(UTC)
        for e in recurring_ical_events.of(Calendar.from_ical(body)).between(
            datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)))
    assert ours == theirs == sorted(m.start_at for m in feed["meetings"])
    # Summer and winter: 12:00 and 13:00 UTC for 14:00 Vienna.
    assert {t.hour for t in theirs} == {12, 13}


def test_feed_has_only_the_persons_groups(feed):
    outsider = factories.person("Out", participant_code="IND")
    cal = Calendar.from_ical(feed["build"](outsider))
    assert cal.walk("VEVENT") == []
