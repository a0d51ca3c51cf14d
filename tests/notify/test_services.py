from datetime import timedelta

from sqlalchemy import func, select

from tests import factories
from tests.smtp import free_port
from wg.errors import ValidationError
from wg.extensions import db
from wg.notify import services as notify
from wg.notify.mail import SMTPSettings
from wg.notify.models import OutboxMessage, OutboxState


def settings(port):
    return SMTPSettings(host="127.0.0.1", port=port, starttls=False,
                        mail_from="Coalition tracker <tracker@example.org>", timeout=5)


def queue(n, now, domain="example.org", kind="test"):
    for i in range(n):
        notify.enqueue(key=f"{kind}:{domain}:{i}", kind=kind, recipient=f"p{i}@{domain}",
                       subject=f"Message {i}", body_text=f"Hello {i}", now=now)
    db.session.commit()


def test_enqueue_twice_keeps_one_row(ctx, now):
    a = notify.enqueue(key="k1", kind="test", recipient="a@example.org", subject="S",
                       body_text="B", now=now)
    b = notify.enqueue(key="k1", kind="test", recipient="other@example.org", subject="S2",
                       body_text="B2", now=now)
    assert a is b and db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_delivery_sends_each_message_once_with_headers(ctx, now, smtp_server):
    queue(3, now)
    notify.enqueue(key="digest:1", kind="digest", recipient="d@example.org", subject="Digest",
                   body_text="Text", body_html="<p>Text</p>",
                   headers={"List-Unsubscribe": "<https://x.example.org/profile/notifications>"},
                   attachments=[{"filename": "meeting.ics", "content_type": "text/calendar",
                                 "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}], now=now)
    db.session.commit()
    counts = notify.deliver_outbox(now=now, settings=settings(smtp_server.port))
    assert counts["sent"] == 4
    assert notify.deliver_outbox(now=now + timedelta(hours=1), settings=settings(smtp_server.port))["sent"] == 0
    assert sorted(smtp_server.keys()) == sorted(["test:example.org:0", "test:example.org:1",
                                                  "test:example.org:2", "digest:1"])
    digest = next(m for m in smtp_server.messages if m["X-WG-Key"] == "digest:1")
    assert digest["List-Unsubscribe"].startswith("<https://")
    assert digest["Message-ID"].endswith("@example.org>")
    parts = [p.get_content_type() for p in digest.walk()]
    assert "text/html" in parts and "text/calendar" in parts
    states = set(db.session.scalars(select(OutboxMessage.state)))
    assert states == {OutboxState.sent}


def test_permanent_refusal_and_malformed_address_fail_at_once(ctx, now, smtp_server):
    notify.enqueue(key="r", kind="t", recipient="nobody@refuse.example.org", subject="S",
                   body_text="B", now=now)
    notify.enqueue(key="m", kind="t", recipient="not an address", subject="S", body_text="B", now=now)
    notify.enqueue(key="ok", kind="t", recipient="ok@example.org", subject="S", body_text="B", now=now)
    db.session.commit()
    counts = notify.deliver_outbox(now=now, settings=settings(smtp_server.port))
    assert counts == {"sent": 1, "retry": 0, "failed": 2, "skipped": 0}
    refused = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "r"))
    assert refused.state is OutboxState.failed and "550" in refused.last_error
    malformed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "m"))
    assert malformed.state is OutboxState.failed and "malformed" in malformed.last_error
    assert smtp_server.keys() == ["ok"]


def test_unreachable_server_retries_with_backoff_then_fails(ctx, now):
    queue(1, now)
    dead = settings(free_port())  # nothing listens there
    t = now
    for attempt in range(1, notify.MAX_ATTEMPTS):
        assert notify.deliver_outbox(now=t, settings=dead)["retry"] == 1
        message = db.session.scalar(select(OutboxMessage))
        assert message.state is OutboxState.queued and message.attempts == attempt
        assert message.next_attempt_at == t + notify.BACKOFF[attempt - 1]
        # Not due before its backoff ends.
        assert notify.deliver_outbox(now=message.next_attempt_at - timedelta(seconds=1),
                                     settings=dead)["retry"] == 0
        t = message.next_attempt_at
    assert notify.deliver_outbox(now=t, settings=dead)["failed"] == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.state is OutboxState.failed and message.attempts == notify.MAX_ATTEMPTS
    assert "ConnectionRefused" in message.last_error or "Errno" in message.last_error


def test_temporary_refusal_is_retried_and_coordinator_retry_sends(ctx, now, smtp_server):
    notify.enqueue(key="x", kind="t", recipient="a@defer.example.org", subject="S", body_text="B", now=now)
    db.session.commit()
    assert notify.deliver_outbox(now=now, settings=settings(smtp_server.port))["retry"] == 1
    message = db.session.scalar(select(OutboxMessage))
    message.state = OutboxState.failed
    message.recipient = "a@example.org"  # the coordinator fixed the address
    db.session.commit()
    assert notify.retry_message(message, now) is True
    db.session.commit()
    assert notify.deliver_outbox(now=now, settings=settings(smtp_server.port))["sent"] == 1
    assert smtp_server.keys() == ["x"]
    assert notify.retry_message(db.session.scalar(select(OutboxMessage)), now) is False


def test_claimed_message_is_skipped_until_its_lease_expires(ctx, now, smtp_server):
    queue(1, now)
    message_id = db.session.scalar(select(OutboxMessage.id))
    # Another worker claimed it and then died without finishing.
    assert notify._claim(message_id, now, notify.DEFAULT_LEASE, "dead-worker")
    assert notify.deliver_outbox(now=now + timedelta(minutes=1), settings=settings(smtp_server.port))["sent"] == 0
    later = now + notify.DEFAULT_LEASE + timedelta(seconds=1)
    assert notify.deliver_outbox(now=later, settings=settings(smtp_server.port))["sent"] == 1
    assert smtp_server.keys() == ["test:example.org:0"]


def test_preferences_default_and_validation(ctx):
    person = factories.person()
    prefs = notify.preferences_for(person)
    assert prefs.meeting_reminders and prefs.first_reminder_hours == 168
    values = dict(notify.DEFAULT_PREFERENCES, overdue_digest=False, second_reminder_hours=168)
    try:
        notify.save_preferences(person, **values)
    except ValidationError as exc:
        assert "after the first" in exc.errors["second_reminder_hours"]
    else:
        raise AssertionError("a second reminder before the first was accepted")
    notify.save_preferences(person, **dict(values, second_reminder_hours=2))
    assert notify.preferences_map([person.id])[person.id].overdue_digest is False
