"""The history table: one row per change, never updated or deleted by the application."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from wg.extensions import db


def _utcnow():
    return datetime.now(UTC)


class HistoryEntry(db.Model):
    """Who changed what, when, from what to what, and why.

    `changes` maps a field name to [old, new] (JSON values); a creation has old None for every
    field, a deletion new None. `parent_type`/`parent_id` file the entry under an enclosing
    object too (an agenda item under its meeting, a role under its group), so the enclosing
    object's History view shows it.
    """

    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    actor_label: Mapped[str] = mapped_column(String(200), nullable=False, default="system")
    token_id: Mapped[int | None] = mapped_column(Integer)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    object_label: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    parent_type: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer)
    verb: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    reason: Mapped[str | None] = mapped_column(Text)

    actor = relationship("Person", lazy="joined")

    __table_args__ = (
        Index("ix_history_entries_object", "object_type", "object_id", "id"),
        Index("ix_history_entries_parent", "parent_type", "parent_id", "id"),
        Index("ix_history_entries_at", "at"),
        Index("ix_history_entries_actor_id", "actor_id"),
        Index("ix_history_entries_group_id", "group_id", "id"),
    )


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances):
    """Refuse, inside the application, any update or delete of a history entry."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, HistoryEntry) and (obj in session.deleted
                                              or session.is_modified(obj)):
            raise PermissionError("History entries are append-only.")
