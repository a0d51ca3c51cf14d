import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db


def new_calendar_token():
    return secrets.token_urlsafe(24)


class Person(UserMixin, db.Model):
    """An expert taking part in the coalition's work; one account each."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-cased, so uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    language: Mapped[str | None] = mapped_column(String(8))  # None: never chose (browser decides)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    # Bumped by every service that changes the row; edit forms carry it (stale edits: 409).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    is_active_account: Mapped[bool] = mapped_column(
        "is_active", Boolean, default=True, server_default="1"
    )
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_calendar_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped to end every session and remember-me token of the person at once (logout
    # everywhere, password set or changed, deactivation, role changes).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    participant: Mapped["Participant"] = relationship()  # noqa: F821
    memberships: Mapped[list["Membership"]] = relationship(  # noqa: F821
        back_populates="person", cascade="all, delete-orphan"
    )

    def get_id(self):
        # The session names the generation too: a bumped generation logs the session out.
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def is_active(self):
        # Flask-Login refuses to log in (and drops the session of) inactive people.
        return self.is_active_account

    def __repr__(self):
        return f"<Person {self.email}>"


class RememberToken(db.Model):
    """A remember-me login: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
