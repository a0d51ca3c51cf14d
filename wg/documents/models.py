"""Documents (papers, slides, pre-reads) attached to meetings, agenda items, actions, decisions,
commitment implementations and Pledge signatures (the signed instrument); every upload is a
version, older versions stay downloadable."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db
from wg.sensitivity import Sensitivity, participant_column

PARENT_TYPES = ("meeting", "agenda_item", "action", "decision", "commitment_implementation",
                "pledge_signature")


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_parent", "parent_type", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_type: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int] = mapped_column(Integer)
    # The title is what full-text search indexes.
    title: Mapped[str] = mapped_column(String(200))
    current_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    # Its own TLP 2.0 label (wg.sensitivity); None: it inherits its parent's (effective_label).
    sensitivity: Mapped[Sensitivity | None] = mapped_column(
        Enum(Sensitivity, name="sensitivity", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]), nullable=True)
    sensitivity_participant_id: Mapped[int | None] = participant_column()

    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", order_by="DocumentVersion.number.desc()",
        cascade="all, delete-orphan")
    created_by: Mapped["Person | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def latest(self):
        return next((v for v in self.versions if v.number == self.current_version), None)


class DocumentVersion(db.Model):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"),
                                             index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The text extracted at upload (wg/documents/text.py), bounded; None when there is none.
    # Deferred: the panels list versions without it; search reads the current one's.
    text: Mapped[str | None] = deferred(mapped_column(Text, nullable=True))

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped["Person | None"] = relationship()  # noqa: F821
