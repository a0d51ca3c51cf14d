import enum
from datetime import date

# Lazy, but named `pgettext` so that pybabel's default keywords extract the context too.
from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import Boolean, Date, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wg.extensions import db


class ParticipantKind(enum.Enum):
    country = "country"
    organization = "organization"

    @property
    def label(self):
        """'Country' or 'Organization' in the current language (a lazy string)."""
        return KIND_LABELS[self.value]


KIND_LABELS = {
    "country": pgettext("participant kind", "Country"),
    "organization": pgettext("participant kind", "Organization"),
}


class Participant(db.Model):
    """A country (ISO 3166 alpha-3) or an international organization (short code)."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ParticipantKind] = mapped_column(
        Enum(ParticipantKind, name="participant_kind", native_enum=False, length=20)
    )
    alpha2: Mapped[str | None] = mapped_column(String(2))
    is_core: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    joined_date: Mapped[date | None] = mapped_column(Date)
    # Bumped by every service that changes the row; edit forms carry it (stale edits: 409).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    # The signature itself lives in wg.pledge (PledgeSignature, backref `pledge_signature`).
    @property
    def pledge_signed_date(self):
        signature = self.pledge_signature
        return signature.signed_on if signature is not None else None

    @property
    def has_signed_pledge(self):
        return self.pledge_signature is not None

    def __repr__(self):
        return f"<Participant {self.code}>"
