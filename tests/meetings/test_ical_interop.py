"""Three calendar readers agree on every instant of a member's feed and of the mailed .ics.

A member of groups anchored in seven zones (northern and southern DST rules, Chile's
"first Sunday on or after the 2nd", a zone without DST, Morocco's Ramadan changes), each with 18
months of monthly meetings: icalendar, recurring-ical-events and vobject must all read the
start and end of each event as the UTC instant stored in the database.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar, Event
from sqlalchemy import select

from tests import factories
from tests.meetings.helpers import make_series
from wg.extensions import db
from wg.groups.models import Role
from wg.meetings import ical, services
from wg.meetings.models import Meeting
from wg.notify import reminders
from wg.notify.models import OutboxMessage

BASE = "https://tracker.example.org"
# Group, anchor zone, local start time.
ZONES = [
    ("SWG1.1", "Europe/Vienna", time(14, 0)),
    ("SWG1.2", "America/New_York", time(9, 30)),
    ("SWG2.1", "Australia/Sydney", time(18, 0)),
    ("SWG2.2", "Asia/Kolkata", time(16, 30)),
    ("SWG3.1", "America/Santiago", time(10, 0)),
    ("SWG3.2", "Pacific/Auckland", time(7, 0)),
    ("SWG3.3", "Africa/Casablanca", time(11, 0)),
]


def _vobject_instants(body):
    """{UID: (start, end)} in UTC, as vobject (and the clients built on it) reads them."""
    cal = vobject.readOne(body.decode() if isinstance(body, bytes) else body)
    return {e.uid.value: (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
            for e in cal.vevent_list}


def _icalendar_instants(body):
    cal = Calendar.from_ical(body)
    return {str(e["UID"]): (e.decoded("DTSTART").astimezone(UTC),
                            e.decoded("DTEND").astimezone(UTC)) for e in cal.walk("VEVENT")}


def _recurring_instants(body):
    events = recurring_ical_events.of(Calendar.from_ical(body)).between(
        datetime(2000, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))
    return {str(e["UID"]): (e.decoded("DTSTART").astimezone(UTC),
                            e.decoded("DTEND").astimezone(UTC)) for e in events}


def _assert_all_readers_agree(body, meetings):
    expected = {m.uid: (m.start_at, m.start_at + timedelta(minutes=m.duration_minutes))
                for m in meetings}
    for reader in (_icalendar_instants, _recurring_instants, _vobject_instants):
        got = reader(body)
        wrong = {uid: (got.get(uid), want) for uid, want in expected.items()
                 if got.get(uid) != want}
        assert not wrong, f"{reader.__name__}: {len(wrong)} of {len(expected)} wrong: " + \
            ", ".join(f"{g} instead of {w}" for g, w in list(wrong.values())[:3])


def _months_later(day, months):
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@pytest.fixture()
def world(ctx, now):
    # The feed view reads the real clock (it shows the last 180 days on), so the 18 months start
    # three months before today; any 18 months hold every zone's DST changes at least once.
    first = _months_later(datetime.now(UTC).date().replace(day=1), -3)
    last = _months_later(first, 18) - timedelta(days=1)
    world = factories.coalition()
    chair, member = world["people"]["chair"], world["people"]["member"]
    meetings = []
    for code, tzid, start in ZONES:
        group = world["groups"][code]
        if code != "SWG1.1":
            factories.membership(member, group, Role.member)
            factories.membership(chair, group, Role.chair)
        series = make_series(group, chair, now, timezone=tzid, start_time=start,
                             first_date=first, last_date=last)
        services.extend_series(series, now, until=last)
        meetings += db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)).all()
    db.session.commit()
    assert len(meetings) == 18 * len(ZONES)
    return dict(member=member, meetings=meetings)


def test_feed_reads_the_same_in_icalendar_recurring_ical_events_and_vobject(world, web):
    response = web.get(f"/calendar/{world['member'].calendar_token}.ics")
    assert response.status_code == 200
    _assert_all_readers_agree(response.get_data(), world["meetings"])


def test_single_meeting_ics_reads_the_same_everywhere(world, login):
    client = login(world["member"])
    for meeting in world["meetings"][::5]:
        response = client.get(f"/meetings/{meeting.id}.ics")
        assert response.status_code == 200
        _assert_all_readers_agree(response.get_data(), [meeting])


def test_reminder_ics_reads_the_same_everywhere(world):
    meetings = sorted(world["meetings"], key=lambda m: m.start_at)
    for meeting in meetings:
        reminders.queue_meeting_reminders(meeting.start_at - timedelta(hours=2), BASE)
    db.session.commit()
    by_id = {m.id: m for m in meetings}
    seen = set()
    for message in db.session.scalars(select(OutboxMessage)
                                      .where(OutboxMessage.kind == "meeting-reminder")):
        (attachment,) = json.loads(message.extras)["attachments"]
        meeting = by_id[int(attachment["filename"].removeprefix("meeting-").removesuffix(".ics"))]
        if meeting.id in seen:
            continue
        seen.add(meeting.id)
        _assert_all_readers_agree(attachment["content"], [meeting])
    assert seen == set(by_id)


def test_vtimezone_is_rrule_based_without_rdate_lists():
    vienna = ical.vtimezone("Europe/Vienna")
    assert "RDATE" not in vienna.to_ical().decode()
    current = [c for c in vienna.subcomponents if "RRULE" in c]
    assert sorted((c.name, c["RRULE"].to_ical().decode()) for c in current) == [
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
        ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10")]
    # Onsets are local wall times in the offset before the change (02:00 CET, 03:00 CEST).
    assert {c.name: c.decoded("DTSTART").time() for c in current} == {
        "DAYLIGHT": time(2, 0), "STANDARD": time(3, 0)}


@pytest.mark.parametrize("tzid", ["Pacific/Apia", "Asia/Gaza", "America/Sao_Paulo",
                                  "Asia/Tehran", "Africa/Casablanca", "Australia/Lord_Howe"])
def test_vtimezone_with_ended_rules_reads_right_in_vobject(tzid):
    """Zones whose rules changed or ended (RRULE with UNTIL), every 5 days over 12 years."""
    cal = Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    cal.add_component(ical.vtimezone(tzid))
    expected, day = {}, datetime(2020, 1, 1, 12, 0)
    while day.year < 2032:
        event = Event()
        event.add("uid", f"{day:%Y%m%d}")
        event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("dtstart", day.replace(tzinfo=ZoneInfo(tzid)))
        cal.add_component(event)
        expected[f"{day:%Y%m%d}"] = day.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)
        day += timedelta(days=5)
    read = vobject.readOne(cal.to_ical().decode())
    got = {e.uid.value: e.dtstart.value.astimezone(UTC) for e in read.vevent_list}
    assert got == expected
