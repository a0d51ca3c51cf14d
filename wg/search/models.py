from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wg.db_types import UTCDateTime
from wg.extensions import db


class SearchDocument(db.Model):
    """One indexed record (written only by wg/search/index.py). On PostgreSQL the table also
    has a `tsv` column (migration 0019), not mapped here because SQLite has none."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("source_type", "source_id", name="uq_search_documents_source"),
        Index("ix_search_documents_group", "group_id", "visibility"),
        Index("ix_search_documents_url", "url_endpoint", "url_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    visibility: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(400), default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    url_endpoint: Mapped[str] = mapped_column(String(60))
    url_id: Mapped[int] = mapped_column(Integer)
    url_anchor: Mapped[str] = mapped_column(String(40), default="", server_default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set for AMBER+STRICT items (wg.permissions.can_see_sensitivity): only this participant's
    # people and coordinators find them.
    strict_participant_id: Mapped[int | None] = mapped_column(Integer)
