"""Exactly once from a form (and, later, from an API call with an Idempotency-Key header).

A form carries a key generated when it is rendered (`new_key()`); the service that writes
claims it with `claim(key, person, scope, now)` in the same transaction as its write:

- a key seen for the first time is stored (add + flush) and `claim` returns None: go ahead;
  once the write is done, `remember(key, result)` notes what it produced (e.g. "progress_log:7");
- a key already stored returns that earlier row (its `result_ref`): the request is a repeat
  and must record nothing new.

The row commits or rolls back with the write, so a failed submit leaves the key free for the
retry. Two concurrent requests with one key: the unique index makes the second wait for (and
then fail on) the first; `claim` turns that failure into "already done".

The API's Idempotency-Key header uses the same table (wg/api/idempotency.py): its rows also keep
the first answer (`status_code`, `body`, `headers`, and `request_hash` to refuse the same key
for another request), stored with the write by `store_answer` and found by `stored_answer`.
Keys are unique per person.
"""

import re
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from wg.db_types import UTCDateTime, utcnow
from wg.errors import ValidationError
from wg.extensions import db

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{8,100}$")


class IdempotencyKey(db.Model):
    """A request key already acted on: by whom, for what, and what it produced (a form's
    result reference, or the first answer to an API request)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("person_id", "key"),
                      Index("ix_idempotency_keys_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result_ref: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The API's stored first answer (None for forms).
    request_hash: Mapped[str | None] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[str | None] = mapped_column(Text)


class AlreadyDone(Exception):
    """This request (same key) was already acted on; nothing new was recorded."""

    def __init__(self, earlier):
        self.earlier = earlier
        self.result_ref = earlier.result_ref
        super().__init__("This update was already recorded.")


def new_key():
    """A fresh key for a form being rendered."""
    return secrets.token_urlsafe(24)


def clean_key(value):
    """The key a request carries, or None when it carries none; a malformed key is refused."""
    if value in (None, ""):
        return None
    value = str(value).strip()
    if not KEY_PATTERN.match(value):
        raise ValidationError({None: "This form is damaged (bad request key); reload the page "
                                     "and try again."})
    return value


def _find(key):
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))


def claim(key, person, scope, now):
    """Claim `key` for this write: None when it is new (now stored), else the earlier row.

    A key used by someone else or for another kind of request is refused (ValidationError).
    """
    key = clean_key(key)
    if key is None:
        return None
    earlier = _find(key)
    if earlier is None:
        row = IdempotencyKey(key=key, person_id=getattr(person, "id", None), scope=scope,
                             created_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
            return None
        except IntegrityError:
            earlier = _find(key)
            if earlier is None:  # pragma: no cover - the other writer rolled back meanwhile
                raise
    if earlier.person_id != getattr(person, "id", None) or earlier.scope != scope:
        raise ValidationError({None: "This form is damaged (request key already used); "
                                     "reload the page and try again."})
    return earlier


def claim_or_raise(key, person, scope, now):
    """Like `claim`, raising AlreadyDone for a repeat."""
    earlier = claim(key, person, scope, now)
    if earlier is not None:
        raise AlreadyDone(earlier)


def remember(key, result_ref):
    """Note what the write made under `key` (a short reference such as "progress_log:7")."""
    key = clean_key(key)
    if key is None:
        return
    row = _find(key)
    if row is not None:
        row.result_ref = str(result_ref)[:200]
        db.session.flush()


# --- the API's stored answers ---------------------------------------------------------------


def stored_answer(key, person):
    """The row of an API request already answered under (person, key), or None."""
    return db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.person_id == person.id, IdempotencyKey.key == key))


def store_answer(key, person, scope, request_hash, status_code, body, headers, now):
    """Keep the first answer to an API request with the write it answers (flushed: a
    concurrent request with the same key fails on the unique index)."""
    db.session.add(IdempotencyKey(
        person_id=person.id, key=key, scope=scope[:300], request_hash=request_hash,
        status_code=status_code, body=body, headers=headers, created_at=now))
    db.session.flush()
