"""Decisions: numbered per group and year, from a meeting (or recorded in the register)."""

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
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db
from wg.sensitivity import Sensitivity, label_column, participant_column


class DecisionStatus(enum.Enum):
    open = "open"
    implemented = "implemented"
    superseded = "superseded"

    @property
    def label(self):
        return STATUS_LABELS[self.value]


STATUS_LABELS = {
    "open": pgettext("decision status", "Open"),
    "implemented": pgettext("decision status", "Implemented"),
    "superseded": pgettext("decision status", "Superseded"),
}

decision_actions = Table(
    "decision_actions",
    db.metadata,
    Column("decision_id", ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Decision(db.Model):
    """A decision of a group, numbered per group and year (SWG1.1-2026/3), usually taken at a
    meeting and listed beside its minutes; the coalition-wide register lists them all."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("group_id", "year", "number"),
        Index("ix_decisions_decided_on", "decided_on", "id"),
        Index("ix_decisions_group_decided_on", "group_id", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # Order among the meeting's decisions (the minutes list them in this order).
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    text: Mapped[str] = mapped_column(Text)  # Markdown
    text_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_on: Mapped[date] = mapped_column(Date)
    status: Mapped[DecisionStatus] = mapped_column(
        Enum(DecisionStatus, name="decision_status", native_enum=False, length=20),
        default=DecisionStatus.open, server_default="open")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # TLP 2.0 label (wg.sensitivity); AMBER+STRICT: seen by this participant's people.
    sensitivity: Mapped[Sensitivity] = label_column()
    sensitivity_participant_id: Mapped[int | None] = participant_column()
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    group: Mapped["Group"] = relationship()  # noqa: F821
    meeting: Mapped["Meeting | None"] = relationship(  # noqa: F821
        back_populates="decisions")
    supersedes: Mapped["Decision | None"] = relationship(remote_side=[id])
    actions: Mapped[list["ActionItem"]] = relationship(  # noqa: F821
        secondary=decision_actions, order_by="ActionItem.id")

    @property
    def reference(self):
        """How people cite it: group code, year and number, e.g. SWG1.1-2026/3."""
        return f"{self.group.code}-{self.year}/{self.number}"

    def __repr__(self):
        return f"<Decision {self.group_id}-{self.year}/{self.number}>"
