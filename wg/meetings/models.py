import enum
from datetime import date, datetime, time

from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wg.db_types import UTCDateTime, utcnow
from wg.extensions import db
from wg.sensitivity import Sensitivity, label_column, participant_column


class RuleKind(enum.Enum):
    weekday = "weekday"  # the n-th (or last) weekday of the month
    monthday = "monthday"  # a day of the month, clamped to the month's last day


class MeetingStatus(enum.Enum):
    scheduled = "scheduled"
    held = "held"
    cancelled = "cancelled"

    @property
    def label(self):
        return STATUS_LABELS[self]


class RsvpAnswer(enum.Enum):
    yes = "yes"
    no = "no"
    maybe = "maybe"

    @property
    def label(self):
        return ANSWER_LABELS[self]


# What people read for each status and answer, in their language (the values stay English).
STATUS_LABELS = {
    MeetingStatus.scheduled: pgettext("meeting status", "Scheduled"),
    MeetingStatus.held: pgettext("meeting status", "Held"),
    MeetingStatus.cancelled: pgettext("meeting status", "Cancelled"),
}
ANSWER_LABELS = {
    RsvpAnswer.yes: pgettext("attendance answer", "Yes"),
    RsvpAnswer.no: pgettext("attendance answer", "No"),
    RsvpAnswer.maybe: pgettext("attendance answer", "Maybe"),
}


class MeetingSeries(db.Model):
    """A monthly rule that materializes meetings of one group."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    rule_kind: Mapped[RuleKind] = mapped_column(
        Enum(RuleKind, name="rule_kind", native_enum=False, length=20)
    )
    # weekday rule: week 1..4 or -1 for the last; weekday 0 = Monday .. 6 = Sunday
    week: Mapped[int | None] = mapped_column(SmallInteger)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)
    # monthday rule: 1..31 (a day past the month's end falls on its last day)
    month_day: Mapped[int | None] = mapped_column(SmallInteger)
    start_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    place: Mapped[str] = mapped_column(String(300), default="", server_default="")
    video_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    materialized_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every change the services make (explicitly, so the history entry can name the
    # version it produced); also SQLAlchemy's version_id_col, so the UPDATE says
    # "WHERE version = <seen>" and a concurrent change between check and write fails
    # (StaleDataError -> history.StaleEdit) instead of being overwritten.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    group: Mapped["Group"] = relationship()  # noqa: F821


class Meeting(db.Model):
    """One meeting of a group, from a series or extra; the start is a UTC instant."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("series_id", "occurrence_date"),
        Index("ix_meetings_group_id_start_at", "group_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True
    )
    # The series date this row stands for, even after a reschedule moves it.
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    timezone: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300), default="", server_default="")
    video_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(MeetingStatus, name="meeting_status", native_enum=False, length=20),
        default=MeetingStatus.scheduled,
        server_default="scheduled",
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_extra: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_md: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TLP 2.0 labels of the meeting and of its minutes (wg.sensitivity); AMBER+STRICT: seen by
    # the people of the participant whose member set it (sensitivity_participant_id).
    sensitivity: Mapped[Sensitivity] = label_column()
    minutes_sensitivity: Mapped[Sensitivity] = label_column()
    sensitivity_participant_id: Mapped[int | None] = participant_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every change the services make (explicitly, so the history entry can name the
    # version it produced); also SQLAlchemy's version_id_col, so the UPDATE says
    # "WHERE version = <seen>" and a concurrent change between check and write fails
    # (StaleDataError -> history.StaleEdit) instead of being overwritten.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    group: Mapped["Group"] = relationship()  # noqa: F821
    series: Mapped[MeetingSeries | None] = relationship()
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    decisions: Mapped[list["Decision"]] = relationship(
        order_by="Decision.position", cascade="all, delete-orphan", back_populates="meeting"
    )

    @property
    def is_cancelled(self):
        return self.status is MeetingStatus.cancelled

    @property
    def end_at(self):
        from datetime import timedelta

        return self.start_at + timedelta(minutes=self.duration_minutes)


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    title: Mapped[str] = mapped_column(String(300))
    presenter: Mapped[str] = mapped_column(String(200), default="", server_default="")
    minutes_allotted: Mapped[int | None] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(500), default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    # The open action this item was carried over from (so it is carried once only).
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_items.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")


class Rsvp(db.Model):
    __tablename__ = "meeting_rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[RsvpAnswer] = mapped_column(
        Enum(RsvpAnswer, name="rsvp_answer", native_enum=False, length=10)
    )
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(db.Model):
    """A person who attended a meeting."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )


class Representation(db.Model):
    """A participant (country or organization) represented at a meeting."""

    __tablename__ = "meeting_representations"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )


class CalendarPreference(db.Model):
    """A person's calendar-feed settings: how long before a meeting their calendar reminds them."""

    __tablename__ = "calendar_preferences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    alarm_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")


# Decisions became records of their own (wg.decisions); imported here so that code written
# against wg.meetings.models.Decision keeps working and the mapper finds the class.
from wg.decisions.models import Decision  # noqa: E402,F401
