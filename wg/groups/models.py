import enum

# Lazy, but named `pgettext` so that pybabel's default keywords extract the context too.
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.extensions import db


class Role(enum.Enum):
    """A person's role in one group. Coordinators are coalition-wide (Person.is_coordinator)."""

    member = "member"
    chair = "chair"
    lead = "lead"

    @property
    def label(self):
        """The role as people read it, in the current language (a lazy string)."""
        return ROLE_LABELS[self.value]


ROLE_LABELS = {
    "member": pgettext("group role", "Member"),
    "chair": pgettext("group role", "Chair"),
    "lead": pgettext("group role", "Lead"),
}


class Group(db.Model):
    """A working group (no parent, one per line of effort) or a sub-working group."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped by every service that changes the row; edit forms carry it (stale edits: 409).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    parent: Mapped["Group | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Group"]] = relationship(
        back_populates="parent", order_by="Group.position, Group.code"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    @property
    def is_working_group(self):
        return self.parent_id is None

    @property
    def kind_label(self):
        return _l("Working group") if self.is_working_group else _l("Sub-working group")

    def __repr__(self):
        return f"<Group {self.code}>"


class Membership(db.Model):
    """One role of one person in one group."""

    __tablename__ = "memberships"
    # The role index finds the few chairs and leads without reading every membership.
    __table_args__ = (UniqueConstraint("person_id", "group_id", "role"),
                      Index("ix_memberships_role_group_id", "role", "group_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, name="role", native_enum=False, length=20))

    person: Mapped["Person"] = relationship(back_populates="memberships")  # noqa: F821
    group: Mapped[Group] = relationship(back_populates="memberships")
