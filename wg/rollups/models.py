"""The kept rollup summaries: small tables the dashboards read instead of every action.

They are written only by wg.rollups.summary.apply_change (one call per action change, in the
same transaction) and rebuilt or checked from the raw rows by `flask wg rebuild-rollups` /
`flask wg check-rollups` (wg.rollups.summary.rebuild / check).
"""

from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wg.actions.models import ActionStatus
from wg.db_types import UTCDateTime
from wg.extensions import db


class RollupMonthDelta(db.Model):
    """Per group and month, how much each rollup figure changed at that month's end.

    The figures at the end of month M are the sums of the deltas of all months up to M, so the
    trend is read from (groups x months) rows instead of rescanning the progress logs. Kept up to
    date in the same transaction as each action change (rollups.summary).
    """

    __tablename__ = "rollup_month_deltas"
    __table_args__ = (UniqueConstraint("group_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_open: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_in_progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_blocked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weight_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weighted_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    overdue: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stale: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupCurrent(db.Model):
    """Per group and status: how many actions, their weights and weighted progress, right now.

    Kept in the same transaction as every action change (rollups.summary), so the dashboard
    reads (groups x statuses) rows instead of scanning every action. Overdue and stale depend
    on today's date and are counted by index range scans instead.
    """

    __tablename__ = "rollup_current"
    __table_args__ = (UniqueConstraint("group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_status", native_enum=False, length=20))
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weight_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weighted_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupParticipant(db.Model):
    """Per participant, group and status: the actions it is responsible for, kept like
    RollupCurrent so the participant view reads summaries instead of joining every action."""

    __tablename__ = "rollup_participants"
    __table_args__ = (UniqueConstraint("participant_id", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_status", native_enum=False, length=20))
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weight_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weighted_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ParticipantActivity(db.Model):
    """Per participant and group: the latest progress entry on any action it is responsible
    for (None when there is none yet)."""

    __tablename__ = "participant_activity"
    __table_args__ = (UniqueConstraint("participant_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RollupOwner(db.Model):
    """Per group and owner: how many actions the person owns there (open ones and all), and the
    latest progress entry on any of them. "Who has not reported" reads these rows instead of
    grouping every action of a line of effort by owner on each page view."""

    __tablename__ = "rollup_owners"
    __table_args__ = (UniqueConstraint("group_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    n_open: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
