"""The Coalition Pledge: its commitments, each participant's signature, and how each signatory
implements each commitment; the participants' focal points who keep that record."""

import enum
from datetime import date, datetime

from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import (
    Column,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from wg.actions import models as _actions  # noqa: F401  (ActionItem, for linked actions)
from wg.auth import models as _auth  # noqa: F401  (Person)
from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db


class ImplementationStatus(enum.Enum):
    not_started = "not_started"
    in_progress = "in_progress"
    in_place = "in_place"

    @property
    def label(self):
        """The status as people read it, in the current language (a lazy string)."""
        return STATUS_LABELS[self.value]

    @property
    def points(self):
        """What the status counts for in the weighted progress (see wg.pledge.rollups)."""
        return STATUS_POINTS[self.value]


STATUS_LABELS = {
    "not_started": pgettext("commitment status", "Not started"),
    "in_progress": pgettext("commitment status", "In progress"),
    "in_place": pgettext("commitment status", "In place"),
}
STATUS_POINTS = {"not_started": 0, "in_progress": 50, "in_place": 100}


class PledgeCommitment(db.Model):
    """One numbered commitment of the Pledge. `text` is the English text as written; the seeded
    texts (known by `seed_key`) are read in the reader's language until a coordinator edits them."""

    __tablename__ = "pledge_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    seed_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")


class PledgeSignature(db.Model):
    """A participant's signature of the Pledge: one per participant."""

    __tablename__ = "pledge_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True)
    signed_on: Mapped[date] = mapped_column(Date)
    signatory_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The instrument (letter, note verbale...): a link and/or a reference; the signed copy
    # itself is a document attached to the signature (documents.parent_type 'pledge_signature').
    instrument_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    instrument_reference: Mapped[str] = mapped_column(String(300), default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    participant: Mapped["Participant"] = relationship(  # noqa: F821
        backref=backref("pledge_signature", uselist=False, passive_deletes=True))
    recorded_by: Mapped["Person | None"] = relationship()  # noqa: F821


implementation_actions = Table(
    "implementation_actions",
    db.metadata,
    Column("implementation_id", ForeignKey("commitment_implementations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("action_id", ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class CommitmentImplementation(db.Model):
    """Where a signatory stands on one commitment: status, evidence, last review, actions."""

    __tablename__ = "commitment_implementations"
    __table_args__ = (UniqueConstraint("participant_id", "commitment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("pledge_commitments.id", ondelete="CASCADE"), index=True)
    status: Mapped[ImplementationStatus] = mapped_column(
        Enum(ImplementationStatus, name="implementation_status", native_enum=False, length=20),
        default=ImplementationStatus.not_started, server_default="not_started")
    evidence_md: Mapped[str] = mapped_column(Text, default="", server_default="")
    # One http(s) address per line.
    evidence_links: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    participant: Mapped["Participant"] = relationship()  # noqa: F821
    commitment: Mapped[PledgeCommitment] = relationship()
    actions: Mapped[list["ActionItem"]] = relationship(  # noqa: F821
        secondary=implementation_actions, order_by="ActionItem.id")

    @property
    def links(self):
        return [line.strip() for line in (self.evidence_links or "").splitlines() if line.strip()]


class FocalPoint(db.Model):
    """A person who keeps their participant's Pledge record (granted by coordinators)."""

    __tablename__ = "participant_focal_points"
    __table_args__ = (UniqueConstraint("person_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped["Person"] = relationship(foreign_keys=[person_id])  # noqa: F821
    participant: Mapped["Participant"] = relationship()  # noqa: F821
