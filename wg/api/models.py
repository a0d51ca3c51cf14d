"""Personal access tokens for the REST API."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
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
