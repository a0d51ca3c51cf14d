"""The outbox: messages are stored once per key and delivered exactly once."""

import json
import logging

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from wg.extensions import db
from wg.notify import leases
from wg.notify.mail import PermanentFailure, SMTPConnection, TemporaryFailure, build_email
from wg.notify.models import NotificationPreference, OutboxMessage, OutboxState

log = logging.getLogger(__name__)

# How the outbox pages name a message's state.
STATE_LABELS = {"queued": _l("Queued"), "sent": _l("Sent"), "failed": _l("Failed")}
# The claim, lease and retry schedule are shared with webhook deliveries (wg/notify/leases.py).
MAX_ATTEMPTS = leases.MAX_ATTEMPTS
BACKOFF = leases.BACKOFF
DEFAULT_LEASE = leases.DEFAULT_LEASE
worker_id = leases.worker_id


def enqueue(*, key, kind, recipient, subject, body_text, body_html=None, headers=None,
            attachments=None, now):
    """Store a message under `key`; a second call with the same key keeps the first row.

    The unique key decides (insert first, in a savepoint), so callers that already know a key
    is new pay one statement, and two processes racing on a key keep one row.
    """
    extras = None
    if headers or attachments:
        extras = json.dumps({"headers": headers or {}, "attachments": attachments or []})
    message = OutboxMessage(
        key=key, kind=kind, recipient=recipient, subject=subject, body_text=body_text,
        body_html=body_html, extras=extras, state=OutboxState.queued, created_at=now,
        next_attempt_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    log.debug("outbox: queued %s to %s: %s", kind, recipient, subject)
    return message


def _claim(message_id, now, lease, worker):
    """Take one queued message for this worker; False if another worker has it or sent it."""
    return leases.claim(OutboxMessage, message_id, now, lease, worker)


def _finish(message_id, worker, **values):
    leases.finish(OutboxMessage, message_id, worker, **values)


def due_message_ids(now, limit):
    return leases.due_ids(OutboxMessage, now, limit)


def deliver_outbox(*, now, settings, worker=None, batch=200, lease=DEFAULT_LEASE):
    """Send due messages: each is claimed first, marked sent only after the server accepted it.

    Without an SMTP host nothing is sent and the messages stay queued (they are logged when
    queued). Returns counts: sent, retry, failed, skipped (claimed by another worker).
    """
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    if not settings.host:
        return counts
    worker = worker or worker_id()
    connection = SMTPConnection(settings)
    try:
        for message_id in due_message_ids(now, batch):
            if not _claim(message_id, now, lease, worker):
                counts["skipped"] += 1
                continue
            message = db.session.get(OutboxMessage, message_id)
            attempts = message.attempts + 1
            try:
                connection.send(build_email(message, settings.mail_from, now))
            except PermanentFailure as exc:
                log.warning("outbox: message %s failed for good: %s", message_id, exc)
                _finish(message_id, worker, state=OutboxState.failed, attempts=attempts,
                        last_error=str(exc)[:2000])
                counts["failed"] += 1
            except TemporaryFailure as exc:
                values = leases.after_failure(attempts, now)
                if values.get("state") is OutboxState.failed:
                    log.warning("outbox: message %s failed after %s attempts: %s",
                                message_id, attempts, exc)
                    counts["failed"] += 1
                else:
                    log.info("outbox: message %s will be retried at %s: %s", message_id,
                             values["next_attempt_at"], exc)
                    counts["retry"] += 1
                _finish(message_id, worker, last_error=str(exc)[:2000], **values)
            else:
                _finish(message_id, worker, state=OutboxState.sent, attempts=attempts,
                        sent_at=now, last_error=None)
                counts["sent"] += 1
            db.session.expire_all()
    finally:
        connection.close()
    return counts


def retry_message(message, now):
    """A coordinator sends a failed (or waiting) message again, as soon as possible."""
    if message.state is OutboxState.sent:
        return False
    message.state = OutboxState.queued
    message.next_attempt_at = now
    message.locked_until = None
    message.locked_by = None
    db.session.flush()
    return True


def outbox_page(*, state=None, kind=None, q=None):
    """A filtered query of outbox rows, newest first (the caller paginates)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state in {s.value for s in OutboxState}:
        query = query.where(OutboxMessage.state == OutboxState(state))
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(OutboxMessage.recipient.like(like),
                                OutboxMessage.subject.ilike(like)))
    return query


def outbox_counts():
    rows = db.session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ).all()
    counts = {s.value: 0 for s in OutboxState}
    counts.update({state.value: n for state, n in rows})
    return counts


def outbox_kinds():
    return list(db.session.scalars(select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)))


# Preferences

DEFAULT_PREFERENCES = {
    "meeting_reminders": True,
    "first_reminder_hours": 168,
    "second_reminder_hours": 24,
    "update_requests": True,
    "overdue_digest": True,
    "pre_reads": True,
}
REMINDER_HOURS = [1, 2, 4, 12, 24, 48, 72, 168, 336]


def preferences_for(person):
    """The person's preferences, or the defaults when they never chose (no row)."""
    row = db.session.get(NotificationPreference, person.id)
    return row or NotificationPreference(person_id=person.id, **DEFAULT_PREFERENCES)


def preferences_map(person_ids):
    """Preferences for many people in one query; defaults fill the gaps."""
    rows = {p.person_id: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.person_id.in_(person_ids))
    )} if person_ids else {}
    return {pid: rows.get(pid) or NotificationPreference(person_id=pid, **DEFAULT_PREFERENCES)
            for pid in person_ids}


def save_preferences(person, **values):
    """Store the person's choices; lead times come from the offered list."""
    from wg.errors import ValidationError

    errors = {}
    for field in ("first_reminder_hours", "second_reminder_hours"):
        if values.get(field) not in REMINDER_HOURS:
            errors[field] = _("Choose one of the offered lead times.")
    if not errors and values["second_reminder_hours"] >= values["first_reminder_hours"]:
        errors["second_reminder_hours"] = _("The second reminder must come after the first.")
    if errors:
        raise ValidationError(errors)
    row = db.session.get(NotificationPreference, person.id)
    if row is None:
        row = NotificationPreference(person_id=person.id)
        db.session.add(row)
    for field in DEFAULT_PREFERENCES:
        setattr(row, field, values[field])
    db.session.flush()
    return row

