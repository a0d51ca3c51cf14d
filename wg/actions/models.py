import enum
from datetime import date, datetime

# Lazy, but named `pgettext` so that pybabel's default keywords extract the context too.
from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db
from wg.meetings import models as _meetings  # noqa: F401  (Meeting, for origin_meeting)
from wg.sensitivity import Sensitivity, label_column, participant_column


class ActionStatus(enum.Enum):
    open = "open"
    in_progress = "in_progress"
    blocked = "blocked"
    done = "done"
    dropped = "dropped"

    @property
    def label(self):
        """The status as people read it, in the current language (a lazy string)."""
        return STATUS_LABELS[self.value]

    @property
    def is_closed(self):
        return self in (ActionStatus.done, ActionStatus.dropped)


STATUS_LABELS = {
    "open": pgettext("action status", "Open"),
    "in_progress": pgettext("action status", "In progress"),
    "blocked": pgettext("action status", "Blocked"),
    "done": pgettext("action status", "Done"),
    "dropped": pgettext("action status", "Dropped"),
}

OPEN_STATUSES = (ActionStatus.open, ActionStatus.in_progress, ActionStatus.blocked)

action_participants = Table(
    "action_participants",
    db.metadata,
    Column("action_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id"), primary_key=True, index=True),
)


class ActionItem(db.Model):
    """Something a group decided to do, owned by a person and/or participants.

    Status and progress change only through a ProgressLog entry (actions.services).
    """

    __tablename__ = "action_items"
    __table_args__ = (
        # A group's actions in a status, counted from the index alone, TLP label included
        # (the actions list; migration 0023).
        Index("ix_action_items_group_status_label", "group_id", "status", "sensitivity",
              "sensitivity_participant_id"),
        # Overdue and stale counts are range scans over these (rollups.queries).
        Index("ix_action_items_status_due", "status", "due_date", "group_id"),
        Index("ix_action_items_status_activity", "status", "last_activity_at", "group_id"),
        Index("ix_action_items_due_date", "due_date"),
        # A group's actions by due date (the list and its CSV export) without a full scan.
        Index("ix_action_items_group_due", "group_id", "due_date", "id"),
        # API sync: a group's actions by (updated_at, id) (wg/api cursor pages, migration 0012).
        Index("ix_action_items_group_updated", "group_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    weight: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_status", native_enum=False, length=20),
        default=ActionStatus.open,
        server_default="open",
    )
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Time of the latest progress log entry (None until the first one); kept by record_progress.
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The meeting this action came out of, if any.
    origin_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    # The latest progress entry or, before any, the creation: what "stale" is measured from.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # TLP 2.0 label (wg.sensitivity); AMBER+STRICT: seen by this participant's people.
    sensitivity: Mapped[Sensitivity] = label_column()
    sensitivity_participant_id: Mapped[int | None] = participant_column()

    group: Mapped["Group"] = relationship()  # noqa: F821
    owner: Mapped["Person | None"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    created_by: Mapped["Person | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    origin_meeting: Mapped["Meeting | None"] = relationship()  # noqa: F821
    participants: Mapped[list["Participant"]] = relationship(  # noqa: F821
        secondary=action_participants, order_by="Participant.name"
    )
    logs: Mapped[list["ProgressLog"]] = relationship(
        back_populates="action", order_by="ProgressLog.id", passive_deletes=True
    )

    # The rules live in wg.rollups.formulas (imported late: wg.rollups imports this module).
    @property
    def percent(self):
        from wg.rollups.formulas import effective_progress

        return effective_progress(self.status, self.progress)

    def is_stale(self, now):
        from wg.rollups.formulas import is_stale

        return is_stale(self.status, self.last_activity_at, now)

    def is_overdue(self, today):
        from wg.rollups.formulas import is_overdue

        return is_overdue(self.status, self.due_date, today)

    def __repr__(self):
        return f"<ActionItem {self.id} {self.title[:30]!r}>"


class ProgressLog(db.Model):
    """An append-only entry on an action: who, when, a note, and old/new status and progress."""

    __tablename__ = "progress_logs"
    __table_args__ = (Index("ix_progress_logs_action_created", "action_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    old_status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_status", native_enum=False, length=20)
    )
    new_status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_status", native_enum=False, length=20)
    )
    old_progress: Mapped[int] = mapped_column(Integer)
    new_progress: Mapped[int] = mapped_column(Integer)
    # The action's version once this entry was written.
    version: Mapped[int] = mapped_column(Integer)

    action: Mapped[ActionItem] = relationship(back_populates="logs")
    author: Mapped["Person | None"] = relationship()  # noqa: F821
