"""Personal access tokens for the REST API, and the stored first answers of Idempotency-Keys."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db


class ApiToken(db.Model):
    """A person's personal access token. Only its SHA-256 hash is kept; the token itself is
    shown once, at creation. `prefix` (the first characters) lets people recognise it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[str] = mapped_column(String(40), default="read", server_default="read")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped["Person"] = relationship()  # noqa: F821

    @property
    def scope_set(self):
        return set((self.scopes or "").split())

    @property
    def can_write(self):
        return "write" in self.scope_set

    def is_usable(self, now):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ApiIdempotencyKey(db.Model):
    """The first answer to a POST with an Idempotency-Key, replayed to every repeat.

    Stored in the same transaction as the write it answers, so a key either names a committed
    write and its answer, or nothing.
    """

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("person_id", "key"),
                      Index("ix_api_idempotency_keys_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    headers: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
