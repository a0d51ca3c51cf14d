"""Initiatives: led by participants, on a line of effort, with linked actions that roll up."""

import enum
from datetime import date, datetime

from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import Column, Date, Enum, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db


class InitiativeStatus(enum.Enum):
    planned = "planned"
    active = "active"
    paused = "paused"
    completed = "completed"

    @property
    def label(self):
        return STATUS_LABELS[self.value]


STATUS_LABELS = {
    "planned": pgettext("initiative status", "Planned"),
    "active": pgettext("initiative status", "Active"),
    "paused": pgettext("initiative status", "Paused"),
    "completed": pgettext("initiative status", "Completed"),
}

initiative_leads = Table(
    "initiative_leads",
    db.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participants.id"), primary_key=True, index=True),
)
initiative_subgroups = Table(
    "initiative_subgroups",
    db.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id"), primary_key=True, index=True),
)
initiative_actions = Table(
    "initiative_actions",
    db.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Initiative(db.Model):
    """A core country's (or several participants') initiative on one line of effort."""

    __tablename__ = "initiatives"
    __table_args__ = (Index("ix_initiatives_group_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    goal_md: Mapped[str] = mapped_column(Text, default="", server_default="")
    goal_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The line of effort: a working group (no parent).
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[InitiativeStatus] = mapped_column(
        Enum(InitiativeStatus, name="initiative_status", native_enum=False, length=20),
        default=InitiativeStatus.active, server_default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    group: Mapped["Group"] = relationship()  # noqa: F821
    leads: Mapped[list["Participant"]] = relationship(  # noqa: F821
        secondary=initiative_leads, order_by="Participant.name")
    subgroups: Mapped[list["Group"]] = relationship(  # noqa: F821
        secondary=initiative_subgroups, order_by="Group.position, Group.code")
    actions: Mapped[list["ActionItem"]] = relationship(  # noqa: F821
        secondary=initiative_actions, order_by="ActionItem.due_date, ActionItem.id")

    def __repr__(self):
        return f"<Initiative {self.id} {self.title[:30]!r}>"
