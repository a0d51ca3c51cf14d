import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db


class OutboxState(enum.Enum):
    queued = "queued"
    sent = "sent"
    failed = "failed"


class OutboxMessage(db.Model):
    """Every e-mail the system sends, kept once per idempotency key.

    A queued row is delivered by whichever scheduler first claims it (sets `locked_until` in a
    conditional UPDATE); a claim that is never finished (the process died) expires, so the
    message is sent later, once.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # JSON: {"headers": {...}, "attachments": [{"filename", "content_type", "content"}]}
    extras: Mapped[str | None] = mapped_column(Text)
    state: Mapped[OutboxState] = mapped_column(
        Enum(OutboxState, name="outbox_state", native_enum=False, length=20),
        default=OutboxState.queued,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """What a person wants to receive. No row means the defaults below.

    Notices that a meeting moved or was cancelled are always sent and have no switch.
    """

    __tablename__ = "notification_preferences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    first_reminder_hours: Mapped[int] = mapped_column(Integer, default=168, server_default="168")
    second_reminder_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    update_requests: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    overdue_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    pre_reads: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class JobRun(db.Model):
    """The last run of each scheduled job, shown to coordinators."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_result: Mapped[str | None] = mapped_column(String(300))
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
