"""What a start time means for the group's members (time-zone figures)."""

from datetime import timedelta

from sqlalchemy import select

from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Membership, Role
from wg.meetings import timezones
from wg.meetings.models import (
    Meeting,
    MeetingStatus,
)
from wg.participants.models import Participant


def member_zones(group):
    """(participant, zone) once per active member or chair of the group (a person with both
    roles counts once), so the figures built on it count people."""
    in_group = select(Membership.person_id).where(
        Membership.group_id == group.id, Membership.role.in_([Role.member, Role.chair]))
    rows = db.session.execute(
        select(Participant, Person.timezone)
        .join(Person, Person.participant_id == Participant.id)
        .where(Person.id.in_(in_group), Person.is_active_account.is_(True))
    ).all()
    return [(p, z) for p, z in rows]


def time_summary(group, start_at, duration_minutes):
    """What a start time means for the group's members (see timezones.time_summary)."""
    return timezones.time_summary(start_at, duration_minutes, member_zones(group))


def series_fairness(series, now):
    """Per country of the group: how many of the series' meetings fell at night for it.

    Rows of dict(participant, zone, past, past_total, coming, coming_total): `past` counts
    meetings already held (or due) before `now`, `coming` those of the next twelve months;
    cancelled meetings do not count. Most nights first.
    """
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.status != MeetingStatus.cancelled,
        Meeting.start_at <= now + timedelta(days=366))).all()
    people = member_zones(series.group)
    past = timezones.fairness([m for m in meetings if m.start_at <= now], people)
    coming = {p.id: (nights, total) for p, _, nights, total in
              timezones.fairness([m for m in meetings if m.start_at > now], people)}
    rows = []
    for participant, zone_name, nights, total in past:
        c_nights, c_total = coming.get(participant.id, (0, 0))
        rows.append(dict(participant=participant, zone=zone_name, past=nights, past_total=total,
                         coming=c_nights, coming_total=c_total))
    rows.sort(key=lambda r: (-r["past"], -r["coming"], r["participant"].name))
    return rows
