"""History, version checks, notices and carry-over of the meetings services (finding 1-4, 6)."""

import re
from dataclasses import replace
from datetime import date, time, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import func, select

from tests import factories
from tests.meetings.helpers import make_series, meeting_input, series_input
from wg.extensions import db
from wg.history import services as history
from wg.meetings import services
from wg.meetings.models import AgendaItem, Meeting, MeetingSeries, MeetingStatus
from wg.meetings.services.record import AGENDA_FIELDS, MEETING_FIELDS, SERIES_FIELDS
from wg.notify.models import OutboxMessage


@pytest.fixture()
def world(ctx):
    return factories.coalition()


def _meetings(series):
    return db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                              .order_by(Meeting.start_at)).all()


def _replayed(object_type, object_id):
    return history.replay(history.entries_for(object_type, object_id, include_children=False))


# ------------------------------------------------------------------ history and versions


def test_every_change_leaves_an_entry_and_a_deleted_item_keeps_its_fields(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = _meetings(make_series(group, chair, now))[4]
    v = meeting.version
    services.reschedule_meeting(meeting, chair, replace(services.meeting_input(meeting),
                                                        place="Vienna, Room M1"), now)
    services.cancel_meeting(meeting, chair, "No quorum", now)
    services.restore_meeting(meeting, chair, now)
    item = services.add_agenda_item(meeting, chair, services.AgendaInput(title="Precursors",
                                                                         presenter="Ana"), now)
    item_id = item.id
    services.delete_agenda_item(item, chair, now)
    assert meeting.version == v + 3
    entries = history.entries_for("meeting", meeting.id)
    assert [(e.object_type, e.verb) for e in entries][-5:] == [
        ("meeting", "updated"), ("meeting", "cancelled"), ("meeting", "restored"),
        ("agenda_item", "created"), ("agenda_item", "deleted")]
    cancelled = entries[-4]
    assert cancelled.reason == "No quorum" and cancelled.actor_id == chair.id
    assert history.changes_of(cancelled)["status"] == ["scheduled", "cancelled"]
    deleted = history.changes_of(entries[-1])
    assert deleted["title"] == ["Precursors", None] and deleted["presenter"] == ["Ana", None]
    assert _replayed("agenda_item", item_id) is None
    assert db.session.get(AgendaItem, item_id) is None


def test_a_stale_version_is_refused_and_says_who_changed_what(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = _meetings(make_series(group, chair, now))[4]
    seen = meeting.version
    services.reschedule_meeting(meeting, chair, replace(services.meeting_input(meeting),
                                                        title="New title"), now,
                                expected_version=seen)
    with pytest.raises(history.StaleEdit) as exc:
        services.reschedule_meeting(meeting, chair, replace(services.meeting_input(meeting),
                                                            place="Elsewhere"), now,
                                    expected_version=seen)
    assert "Cha Chair updated (title)" in exc.value.describe()
    with pytest.raises(history.StaleEdit):
        services.save_minutes(meeting, chair, "text", now, expected_version=seen)
    series = meeting.series
    with pytest.raises(history.StaleEdit):
        services.update_series(series, chair, series_input(place="Room 2"), now,
                               expected_version=series.version - 1)


def test_a_concurrent_write_between_check_and_update_is_refused(world, now, app):
    """Two sessions load version 1; the second UPDATE ... WHERE version = 1 matches nothing."""
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    meeting = _meetings(make_series(group, chair, now))[4]
    db.session.commit()
    meeting_id, seen = meeting.id, meeting.version
    from sqlalchemy.orm import Session

    with Session(db.engine) as second:
        twin = second.get(Meeting, meeting_id)
        twin.title, twin.version = "Changed elsewhere", seen + 1
        second.commit()
    with pytest.raises(history.StaleEdit):
        # This session still holds version `seen`, so the check passes; the write must not.
        services.reschedule_meeting(meeting, chair, replace(services.meeting_input(meeting),
                                                            place="Room 9"), now,
                                    expected_version=seen)
    db.session.rollback()
    assert db.session.get(Meeting, meeting_id).title == "Changed elsewhere"


OPS = st.lists(st.tuples(
    st.sampled_from(["reschedule", "place", "cancel", "restore", "publish", "minutes",
                     "attendance", "series", "add_item", "edit_item", "move_item",
                     "done_item", "delete_item"]),
    st.integers(0, 5), st.integers(0, 3)), max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_replaying_the_history_gives_the_current_fields(world, now, ops):
    """For every meeting, series and agenda item touched: replay(entries) == snapshot."""
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    try:
        series = make_series(group, chair, now)
        meetings = _meetings(series)[1:7]
        extra = services.add_extra_meeting(group, chair, meeting_input(), now)
        meetings.append(extra)
        item_ids = []
        for op, i, j in ops:
            meeting = meetings[i % len(meetings)]
            try:
                if op == "reschedule":
                    data = services.meeting_input(meeting)
                    services.reschedule_meeting(meeting, chair, replace(
                        data, start_time=time(9 + j, 0), title=f"Title {j}"), now)
                elif op == "place":
                    services.reschedule_meeting(meeting, chair, replace(
                        services.meeting_input(meeting), place=f"Room {j}"), now)
                elif op == "cancel":
                    services.cancel_meeting(meeting, chair, f"Reason {j}", now)
                elif op == "restore":
                    services.restore_meeting(meeting, chair, now)
                elif op == "publish":
                    services.publish_agenda(meeting, chair, now + timedelta(minutes=j))
                elif op == "minutes":
                    services.save_minutes(meeting, chair, f"Minutes {j}", now)
                elif op == "attendance":
                    services.record_attendance(meeting, chair, [chair.id], [], now)
                elif op == "series":
                    services.update_series(series, chair, series_input(
                        week=1 + j, duration_minutes=60 + 15 * i), now)
                elif op == "add_item":
                    item_ids.append(services.add_agenda_item(
                        meeting, chair, services.AgendaInput(title=f"Item {j}"), now).id)
                elif item_ids:
                    item = db.session.get(AgendaItem, item_ids[j % len(item_ids)])
                    if item is None:
                        continue
                    if op == "edit_item":
                        services.update_agenda_item(item, chair, services.AgendaInput(
                            title=f"Edited {i}", presenter="P", minutes_allotted=5 + i), now)
                    elif op == "move_item":
                        services.move_agenda_item(item, chair, -1 if i % 2 else 1, now)
                    elif op == "done_item":
                        services.set_item_done(item, chair, bool(i % 2), now)
                    elif op == "delete_item":
                        services.delete_agenda_item(item, chair, now)
            except services_errors():
                continue
        db.session.flush()
        for m in db.session.scalars(select(Meeting).where(Meeting.group_id == group.id)):
            assert _replayed("meeting", m.id) == history.snapshot(m, MEETING_FIELDS), m.id
        assert _replayed("series", series.id) == history.snapshot(series, SERIES_FIELDS)
        for item_id in item_ids:
            item = db.session.get(AgendaItem, item_id)
            expected = None if item is None else history.snapshot(item, AGENDA_FIELDS)
            assert _replayed("agenda_item", item_id) == expected
    finally:
        db.session.rollback()


def services_errors():
    from wg.errors import ValidationError

    return ValidationError


# ------------------------------------------------------------------ notices


def _add_members(group):
    fr = factories.person("Fleur French", "fleur@example.org", "FRA", language="fr",
                          timezone="Europe/Paris")
    es = factories.person("Eva Spanish", "eva@example.org", "ESP", language="es",
                          timezone="America/Mexico_City")
    factories.membership(fr, group)
    factories.membership(es, group)
    db.session.flush()
    return fr, es


def test_one_notice_per_member_per_change_in_their_language(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    _add_members(group)
    series = make_series(group, chair, now)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    meeting = _meetings(series)[4]
    services.reschedule_meeting(meeting, chair, replace(services.meeting_input(meeting),
                                                        place="Vienna"), now)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    # Each in their language and zone: the day as Babel writes it there (the wording itself is
    # checked with the catalogs in tests/notify/test_mail_languages.py).
    day = {zone: format_skeleton("MMMd", meeting.start_at.astimezone(ZoneInfo(zone)), locale=loc)
           for zone, loc in (("America/Mexico_City", "es"), ("Europe/Paris", "fr"), ("UTC", "en_GB"))}
    assert [(m.recipient, m.subject.rsplit(" ", 2)[-2] + " " + m.subject.rsplit(" ", 1)[-1])
            for m in rows] == [
        ("eva@example.org", day["America/Mexico_City"]), ("fleur@example.org", day["Europe/Paris"]),
        ("member@example.org", day["UTC"])]
    assert all(m.key.startswith(f"meeting-changed:meeting:{meeting.id}:1:") for m in rows)
    # The same state again is no change: nothing queued, no new SEQUENCE.
    services.reschedule_meeting(meeting, chair, services.meeting_input(meeting), now)
    assert meeting.sequence == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def _ics(message):
    import json

    extras = json.loads(message.extras)
    content = extras["attachments"][0]["content"]
    cal = Calendar.from_ical(content)
    return cal, next(iter(cal.walk("VEVENT")))


def test_series_rule_change_restore_and_reschedule_mail_every_member_once(
        world, now, app, smtp_server):
    from tests.notify.test_services import settings as smtp_settings
    from wg.notify import services as notify

    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    fr, es = _add_members(group)
    members = {"member@example.org", fr.email, es.email}
    series = make_series(group, chair, now)
    db.session.commit()
    future = [m for m in _meetings(series) if m.start_at > now]
    # 1. The rule changes from the 2nd to the 3rd Tuesday: the future dates leave the rule
    # (cancelled, so calendars drop them) and the new dates are added.
    change = services.update_series(series, chair, series_input(week=3), now)
    db.session.commit()
    assert change.cancelled == len(future) and change.added >= len(future)
    added = [m for m in _meetings(series) if m.start_at > now and m not in future]
    # 2. One of the new meetings is cancelled and restored.
    first = added[0]
    services.cancel_meeting(first, chair, "Clash", now)
    services.restore_meeting(first, chair, now)
    # 3. Another is moved by hand.
    second = added[1]
    services.reschedule_meeting(second, chair, replace(services.meeting_input(second),
                                                       start_time=time(16, 0)), now)
    db.session.commit()
    counts = notify.deliver_outbox(now=now, settings=smtp_settings(smtp_server.port))
    assert counts["sent"] == db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert notify.deliver_outbox(now=now + timedelta(hours=1),
                                 settings=smtp_settings(smtp_server.port))["sent"] == 0
    keys = smtp_server.keys()
    assert len(keys) == len(set(keys))  # exactly once
    by_kind = {}
    for msg in smtp_server.messages:
        kind, _, object_id, _, _ = msg["X-WG-Key"].split(":")
        by_kind.setdefault((kind, int(object_id)), []).append(msg["To"])
    # The rule change: one mail per member, whatever the number of meetings it touched.
    assert sorted(by_kind.pop(("series-changed", series.id))) == sorted(members)
    assert not any(k[1] in {m.id for m in future} for k in by_kind)
    assert sorted(by_kind[("meeting-cancelled", first.id)]) == sorted(members)
    assert sorted(by_kind[("meeting-restored", first.id)]) == sorted(members)
    assert sorted(by_kind[("meeting-changed", second.id)]) == sorted(members)
    digest = next(m for m in smtp_server.messages if m["To"] == "member@example.org"
                  and m["X-WG-Key"].startswith("series-changed:"))
    calendars = {}
    for part in digest.walk():
        if part.get_content_type() == "text/calendar":
            cal = Calendar.from_ical(part.get_payload(decode=True))
            calendars[str(cal["METHOD"])] = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(calendars["CANCEL"]) == {m.uid for m in future}
    assert {int(e["SEQUENCE"]) for e in calendars["CANCEL"].values()} == {1}
    assert {m.uid for m in added} <= set(calendars["REQUEST"])
    body = next(p for p in digest.walk() if p.get_content_type() == "text/plain").get_payload(
        decode=True).decode()
    assert body.count("- Cancelled:") == len(future) and body.count("- New:") == len(added)
    # The .ics: same UID, SEQUENCE grew with each change, METHOD right.
    sequences = []
    for kind in ("meeting-cancelled", "meeting-restored"):
        msg = next(m for m in smtp_server.messages if m["To"] == "member@example.org"
                   and m["X-WG-Key"].startswith(f"{kind}:meeting:{first.id}:"))
        ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        cal = Calendar.from_ical(ics.get_payload(decode=True))
        event = next(iter(cal.walk("VEVENT")))
        assert str(event["UID"]) == first.uid
        assert str(cal["METHOD"]) == ("CANCEL" if kind == "meeting-cancelled" else "REQUEST")
        sequences.append(int(event["SEQUENCE"]))
    assert sequences == [1, 2]  # the new meeting was announced at SEQUENCE 0 in the digest
    assert int(calendars["REQUEST"][first.uid]["SEQUENCE"]) == 0
    french = next(m for m in smtp_server.messages if m["To"] == fr.email
                  and m["X-WG-Key"].startswith(f"meeting-restored:meeting:{first.id}:"))
    assert str(make_header(decode_header(french["Subject"]))).endswith(
        format_skeleton("MMMd", first.start_at.astimezone(ZoneInfo(fr.timezone)), locale="fr"))


def test_new_series_meetings_are_not_mailed_but_extra_meetings_are(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    make_series(group, chair, now)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    extra = services.add_extra_meeting(group, chair, meeting_input(), now)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.recipient) for m in rows] == [("meeting-new", "member@example.org")]
    assert re.search(r"METHOD:REQUEST", rows[0].extras)
    assert history.entries_for("meeting", extra.id)[0].verb == "created"


# ------------------------------------------------------------------ carry-over


def test_carrying_over_twice_puts_each_item_and_action_on_the_agenda_once(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    rows = _meetings(make_series(group, chair, now))
    last, nxt = rows[1], rows[2]
    open_item = services.add_agenda_item(last, chair, services.AgendaInput(title="Open"), now)
    action = factories.action(group, title="Alert", owner=chair, actor=chair)
    offer = services.backlog(nxt, now)
    assert [i.id for i in offer["items"]] == [open_item.id]
    assert action in offer["actions"]
    first = services.carry_over(nxt, chair, [open_item.id, open_item.id], now,
                                action_ids=[action.id, action.id])
    assert len(first) == 2
    assert services.carry_over(nxt, chair, [open_item.id], now, action_ids=[action.id]) == []
    offer = services.backlog(nxt, now)
    assert offer["items"] == [] and action not in offer["actions"]
    titles = [i.title for i in nxt.agenda_items]
    assert titles.count("Open") == 1 and titles.count("Action: Alert") == 1


# ------------------------------------------------------------------ status of past meetings


def test_a_past_meeting_without_attendance_is_not_shown_as_scheduled(world, now):
    from wg.meetings.services import display_status

    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    rows = _meetings(make_series(group, chair, now))
    past = [m for m in rows if m.end_at <= now][-1]
    coming = [m for m in rows if m.start_at > now][0]
    assert past.status is MeetingStatus.scheduled
    assert display_status(past, now) == "awaiting"
    assert display_status(coming, now) == "scheduled"
    services.record_attendance(past, chair, [chair.id], [], now)
    assert display_status(past, now) == "held"
    services.cancel_meeting(coming, chair, "No", now)
    assert display_status(coming, now) == "cancelled"


def test_the_series_is_in_history_too(world, now):
    group, chair = world["groups"]["SWG1.1"], world["people"]["chair"]
    series = make_series(group, chair, now)
    services.update_series(series, chair, series_input(place="Room 2"), now,
                           expected_version=series.version)
    entries = history.entries_for("series", series.id)
    assert [e.verb for e in entries] == ["created", "updated"]
    assert history.changes_of(entries[1]) == {"place": ["Online", "Room 2"]}
    assert db.session.get(MeetingSeries, series.id).version == 2
    assert date(2026, 1, 13)  # the rule's first date (see helpers)
