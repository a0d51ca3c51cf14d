"""The outbox: messages are stored once per key; delivery happens elsewhere."""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wg.extensions import db
from wg.notify.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)


def enqueue(*, key, kind, recipient, subject, body_text, body_html=None, now):
    """Store a message under `key`; a second call with the same key keeps the first row."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        key=key,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        state=OutboxState.queued,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        # Someone else stored the same key between our check and our insert.
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    log.info("outbox: queued %s to %s: %s", kind, recipient, subject)
    return message
