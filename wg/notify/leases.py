"""Claiming queued rows for delivery, with a lease, and the retry schedule after a failure.

Shared by everything the scheduler delivers (the mail outbox, webhook deliveries). A row needs
the columns `state` (queued, sent, failed), `attempts`, `next_attempt_at`, `locked_until` and
`locked_by`. A worker claims one row with a conditional UPDATE (only while it is queued and not
leased by another live worker) and commits; it finishes the row only while it still holds the
lease. A worker that dies leaves a lease that expires, so the row is tried later, once.
"""

import os
import socket
from datetime import timedelta

from sqlalchemy import or_, select, update

from wg.extensions import db
from wg.notify.models import OutboxState

MAX_ATTEMPTS = 6
# Waits after the 1st, 2nd, ... failed attempt.
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]
DEFAULT_LEASE = timedelta(minutes=5)


def worker_id():
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def due_ids(model, now, limit):
    """Ids of queued rows whose next attempt is due and that no live lease holds, oldest first."""
    return list(db.session.scalars(
        select(model.id)
        .where(
            model.state == OutboxState.queued,
            or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now),
            or_(model.locked_until.is_(None), model.locked_until < now),
        )
        .order_by(model.id)
        .limit(limit)
    ))


def claim(model, row_id, now, lease, worker):
    """Take one queued row for this worker; False if another worker has it or it is done."""
    result = db.session.execute(
        update(model)
        .where(
            model.id == row_id,
            model.state == OutboxState.queued,
            or_(model.locked_until.is_(None), model.locked_until < now),
        )
        .values(locked_until=now + lease, locked_by=worker)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def finish(model, row_id, worker, **values):
    """Release the lease and store the outcome, only while this worker still holds it."""
    db.session.execute(
        update(model)
        .where(model.id == row_id, model.locked_by == worker)
        .values(locked_until=None, locked_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def after_failure(attempts, now, permanent=False):
    """The values to store after failed attempt number `attempts`: another try after the
    backoff, or failed for good after MAX_ATTEMPTS (or at once when `permanent`)."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return {"state": OutboxState.failed, "attempts": attempts}
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return {"attempts": attempts, "next_attempt_at": now + wait}
