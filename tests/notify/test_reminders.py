"""The notification jobs, fast-forwarded with a fixed clock against the real database."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from tests import factories
from tests.meetings.helpers import meeting_input
from wg.actions import services as actions
from wg.extensions import db
from wg.meetings import services as meetings
from wg.notify import reminders
from wg.notify import services as notify
from wg.notify.models import OutboxMessage

BASE = "https://tracker.example.org"
START = datetime(2026, 4, 20, 13, 0, tzinfo=UTC)  # 15:00 in Vienna (CEST)


def outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def setup_meeting():
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    p["member"].timezone = "Africa/Accra"
    p["chair"].timezone, p["chair"].language = "America/Mexico_City", "es"
    meeting = meetings.add_extra_meeting(
        g["SWG1.1"], p["chair"], meeting_input(title="April meeting", day=date(2026, 4, 20),
                                               start_time=time(15, 0), timezone="Europe/Vienna",
                                               duration_minutes=90), START - timedelta(days=30))
    db.session.commit()
    return c, meeting


def test_due_reminder_hours():
    start = START
    leads = (168, 24)
    assert reminders.due_reminder_hours(start, start - timedelta(days=8), leads) is None
    assert reminders.due_reminder_hours(start, start - timedelta(hours=168), leads) == 168
    assert reminders.due_reminder_hours(start, start - timedelta(hours=30), leads) == 168
    assert reminders.due_reminder_hours(start, start - timedelta(hours=24), leads) == 24
    # After a long downtime only the latest reminder is due, once.
    assert reminders.due_reminder_hours(start, start - timedelta(hours=1), leads) == 24
    assert reminders.due_reminder_hours(start, start, leads) is None


def test_meeting_reminders_at_each_lead_time_once(ctx):
    c, meeting = setup_meeting()
    run = lambda now: reminders.queue_meeting_reminders(now, BASE)  # noqa: E731
    assert run(START - timedelta(days=8))["queued"] == 0
    assert run(START - timedelta(days=7))["queued"] == 2  # the member and the chair
    assert run(START - timedelta(days=6))["queued"] == 0
    assert run(START - timedelta(hours=24))["queued"] == 2
    assert run(START - timedelta(hours=1))["queued"] == 0
    assert run(START + timedelta(minutes=1))["queued"] == 0
    db.session.commit()
    messages = outbox("meeting-reminder")
    assert len(messages) == 4
    member_msg = next(m for m in messages if m.recipient == "member@example.org")
    assert "13:00\u201314:30 (your time)" in member_msg.body_text  # Accra, the member's zone
    assert "15:00\u201316:30 in Vienna (\u2066UTC+02:00\u2069)" in member_msg.body_text  # anchor
    assert f"{BASE}/meetings/{meeting.id}" in member_msg.body_text
    assert "BEGIN:VCALENDAR" in member_msg.extras and meeting.uid in member_msg.extras
    chair_msg = next(m for m in messages if m.recipient == "chair@example.org")
    # Spanish date in her zone (the wording: tests/notify/test_mail_languages.py, with catalogs).
    assert chair_msg.subject.endswith(" 20 abr") and "7:00\u20138:30" in chair_msg.body_text


def test_reminder_preferences_are_respected(ctx):
    c, meeting = setup_meeting()
    member = c["people"]["member"]
    notify.save_preferences(member, **dict(notify.DEFAULT_PREFERENCES, first_reminder_hours=48,
                                           second_reminder_hours=2))
    notify.save_preferences(c["people"]["chair"], **dict(notify.DEFAULT_PREFERENCES, meeting_reminders=False))
    assert reminders.queue_meeting_reminders(START - timedelta(days=7), BASE)["queued"] == 0
    assert reminders.queue_meeting_reminders(START - timedelta(hours=47), BASE)["queued"] == 1
    assert reminders.queue_meeting_reminders(START - timedelta(hours=2), BASE)["queued"] == 1
    assert {m.recipient for m in outbox()} == {"member@example.org"}


def test_change_and_cancel_notices_are_queued_by_the_services(ctx):
    """No polling job finds changes: each service queues its notices when it makes the change."""
    c, meeting = setup_meeting()
    chair = c["people"]["chair"]
    now = START - timedelta(days=10)
    assert [m.kind for m in outbox()] == ["meeting-new"]  # the member (the chair made it)
    meetings.add_agenda_item(meeting, chair,
                             meetings.AgendaInput(title="Tour de table", minutes_allotted=20), now)
    assert len(outbox()) == 1
    meetings.reschedule_meeting(meeting, chair,
                                meeting_input(title="April meeting", day=date(2026, 4, 21),
                                              start_time=time(16, 0), timezone="Europe/Vienna",
                                              duration_minutes=90), now)
    meetings.cancel_meeting(meeting, chair, "The venue is closed", now)
    db.session.commit()
    kinds = [(m.kind, m.recipient) for m in outbox()]
    assert kinds == [("meeting-new", "member@example.org"), ("meeting-changed", "member@example.org"),
                     ("meeting-cancelled", "member@example.org")]
    changed = outbox("meeting-changed")[0]
    assert changed.subject.startswith("Changed")
    assert "16:00\u201317:30 in Vienna" in changed.body_text


def test_update_requests_and_overdue_digest(ctx):
    c, meeting = setup_meeting()
    g, p = c["groups"], c["people"]
    mine = factories.action(g["SWG1.1"], "Map precursor routes", owner=p["member"],
                            due_date=date(2026, 3, 31), actor=p["chair"])
    done = factories.action(g["SWG1.1"], "Finished thing", owner=p["member"], actor=p["chair"])
    actions.record_progress(done, p["chair"], "done", 100, "finished", done.version,
                            datetime(2026, 2, 1, tzinfo=UTC))
    db.session.commit()
    assert reminders.queue_update_requests(START - timedelta(days=6), BASE)["queued"] == 0
    assert reminders.queue_update_requests(START - timedelta(days=4), BASE)["queued"] == 1
    assert reminders.queue_update_requests(START - timedelta(days=3), BASE)["queued"] == 0
    request = outbox("update-request")[0]
    assert request.recipient == "member@example.org"
    assert f"{BASE}/actions/{mine.id}" in request.body_text and "Finished thing" not in request.body_text
    assert "List-Unsubscribe" in request.extras

    monday = datetime(2026, 4, 13, 6, 0, tzinfo=UTC)
    result = reminders.queue_overdue_digests(monday, BASE)
    assert result["queued"] == 2  # the owner and the group's chair
    assert reminders.queue_overdue_digests(monday + timedelta(days=2), BASE)["queued"] == 0
    assert reminders.queue_overdue_digests(monday + timedelta(days=7), BASE)["queued"] == 2
    digest = outbox("overdue-digest")[0]
    assert "Map precursor routes (due 31 Mar 2026, 0%" in digest.body_text


def test_pre_read_and_minutes_nudge(ctx):
    c, meeting = setup_meeting()
    g, p = c["groups"], c["people"]
    factories.action(g["SWG1.1"], "Silent action", owner=p["member"], actor=p["chair"],
                     due_date=date(2026, 5, 1))
    b = factories.action(g["SWG1.1"], "Busy action", owner=p["chair"], actor=p["chair"])
    actions.record_progress(b, p["chair"], "in_progress", 40, "halfway there",
                            b.version, START - timedelta(days=5))
    db.session.commit()
    assert reminders.queue_pre_reads(START - timedelta(hours=49), BASE)["queued"] == 0
    assert reminders.queue_pre_reads(START - timedelta(hours=47), BASE)["queued"] == 2
    pre = next(m for m in outbox("pre-read") if m.recipient == "member@example.org")
    assert "Busy action: 0% -> 40% (In progress) — halfway there" in pre.body_text
    assert "Silent action (due 1 May 2026" in pre.body_text
    assert pre.body_text.split("Not reported this cycle:")[1].strip().startswith(p["member"].name)

    assert reminders.queue_minutes_nudges(START + timedelta(days=2), BASE)["queued"] == 0
    assert reminders.queue_minutes_nudges(START + timedelta(days=3, hours=1), BASE)["queued"] == 1
    assert reminders.queue_minutes_nudges(START + timedelta(days=4), BASE)["queued"] == 0
    assert outbox("minutes-nudge")[0].recipient == "chair@example.org"


def test_mail_bodies_escape_user_text_in_html_only(ctx):
    """Titles fill translated sentences: escaped in the HTML body, as written in the text body."""
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    meeting = meetings.add_extra_meeting(
        g["SWG1.1"], p["chair"], meeting_input(title="Q&A <b>bold</b>", day=date(2026, 4, 20)),
        START - timedelta(days=30))
    meetings.add_agenda_item(meeting, p["chair"], meetings.AgendaInput(
        title="Tour <i>de</i> table", minutes_allotted=20), START - timedelta(days=30))
    meetings.publish_agenda(meeting, p["chair"], START - timedelta(days=30))
    factories.action(g["SWG1.1"], "Map <routes>", owner=p["member"], due_date=date(2026, 3, 31),
                     actor=p["chair"])
    reminders.queue_overdue_digests(datetime(2026, 4, 13, 6, 0, tzinfo=UTC), BASE)
    new, agenda = outbox("meeting-new")[0], outbox("agenda-published")[0]
    assert "\u201cQ&A <b>bold</b>\u201d" in new.body_text
    assert "\u201cQ&amp;A &lt;b&gt;bold&lt;/b&gt;\u201d" in new.body_html
    assert "Tour <i>de</i> table, 20 min" in agenda.body_text
    assert "Tour &lt;i&gt;de&lt;/i&gt; table, 20 min" in agenda.body_html
    digest = outbox("overdue-digest")[0]
    assert "Map <routes> (due 31 Mar 2026, 0%, Mem Member)" in digest.body_text
    assert f'<a href="{BASE}/actions/' in digest.body_html and "Map &lt;routes&gt;</a>" in digest.body_html
    assert "<routes>" not in digest.body_html
