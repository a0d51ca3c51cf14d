"""With the demo data, a member's reminders and update requests appear at the right times and a
real SMTP server receives each once."""

import collections
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from tests.notify.test_services import settings
from wg.actions.models import OPEN_STATUSES, ActionItem
from wg.auth import services as auth
from wg.data.demo import load_demo
from wg.data.seed import seed_structure
from wg.db_types import utcnow
from wg.extensions import db
from wg.meetings.models import Meeting, MeetingStatus
from wg.notify import reminders
from wg.notify import services as notify
from wg.notify.models import OutboxMessage, OutboxState

BASE = "http://127.0.0.1:5000"


def run_all(now):
    for job in (reminders.queue_meeting_reminders,
                reminders.queue_update_requests, reminders.queue_pre_reads):
        job(now, BASE)
    db.session.commit()


def test_demo_member_gets_reminders_and_update_requests_once(ctx, smtp_server):
    now = utcnow()
    seed_structure()
    load_demo(0.03, now=now)
    db.session.commit()
    member = auth.find_person_by_email("member@example.org")
    swg11 = auth.find_group("SWG1.1")
    meeting = db.session.scalar(select(Meeting).where(
        Meeting.group_id == swg11.id, Meeting.status == MeetingStatus.scheduled,
        Meeting.start_at > now + timedelta(days=8)).order_by(Meeting.start_at))
    assert meeting is not None, "the demo has no upcoming SWG1.1 meeting"
    owned = db.session.scalar(select(ActionItem).where(
        ActionItem.owner_id == member.id, ActionItem.group_id == swg11.id,
        ActionItem.status.in_(OPEN_STATUSES)))
    if owned is None:
        chair = auth.find_person_by_email("chair@example.org")
        owned = factories.action(swg11, "Prepare the precursor watch-list", owner=member, actor=chair,
                                 due_date=(meeting.start_at + timedelta(days=60)).date(), now=now)
        db.session.commit()

    start = meeting.start_at
    mine = lambda kind: [m for m in db.session.scalars(select(OutboxMessage).where(  # noqa: E731
        OutboxMessage.kind == kind, OutboxMessage.recipient == member.email))
        if f"/meetings/{meeting.id}" in m.body_text or m.key.startswith(f"{kind}:{meeting.id}:")]

    run_all(start - timedelta(days=7, minutes=-1))
    assert len(mine("meeting-reminder")) == 1 and mine("update-request") == []
    run_all(start - timedelta(days=4, hours=23))
    assert len(mine("update-request")) == 1
    assert f"/actions/{owned.id}" in mine("update-request")[0].body_text
    run_all(start - timedelta(hours=47))
    assert len(mine("pre-read")) == 1
    run_all(start - timedelta(hours=23))
    run_all(start - timedelta(hours=22))  # a second run adds nothing
    reminders_sent = mine("meeting-reminder")
    assert len(reminders_sent) == 2
    assert {m.key.rsplit(":", 1)[1] for m in reminders_sent} == {"168h", "24h"}

    queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == OutboxState.queued)).all()
    expected = len(queued)
    counts = notify.deliver_outbox(now=start, settings=settings(smtp_server.port))
    assert counts["sent"] == expected
    received = collections.Counter(smtp_server.keys())
    assert sum(received.values()) == expected and max(received.values()) == 1
    member_keys = {m.key for m in queued if m.recipient == member.email}
    assert member_keys <= set(received)
    assert len([k for k in member_keys if f":{meeting.id}:" in k]) == 4  # 2 reminders, request, pre-read
