"""Lists, month view, personal calendar feeds."""

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from wg import permissions
from wg.auth.models import Person, new_calendar_token
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Membership
from wg.meetings import recurrence
from wg.meetings.models import (
    CalendarPreference,
    Meeting,
)
from wg.meetings.services.inputs import ALARM_CHOICES, DEFAULT_ALARM_MINUTES


def meeting_group_ids(person):
    """Groups whose meetings are in the person's own calendar: those they have a role in."""
    return set(db.session.scalars(select(Membership.group_id).where(
        Membership.person_id == person.id)))


def upcoming_for(person, now, limit=5):
    ids = meeting_group_ids(person)
    if not ids:
        return []
    return db.session.scalars(
        select(Meeting).where(Meeting.group_id.in_(ids),
                              Meeting.start_at > now - timedelta(hours=3),
                              permissions.sensitivity_clause(person, Meeting))
        .order_by(Meeting.start_at).limit(limit)
        .options(_group_loader())).all()


def _group_loader():
    from sqlalchemy.orm import joinedload

    return joinedload(Meeting.group)


def group_meetings(group, now, past, page, per_page=10, person=None):
    """A page of the group's upcoming (soonest first) or past (latest first) meetings (those
    `person` may see under their sensitivity label)."""
    query = select(Meeting).where(Meeting.group_id == group.id)
    if person is not None:
        query = query.where(permissions.sensitivity_clause(person, Meeting))
    if past:
        query = query.where(Meeting.start_at <= now).order_by(Meeting.start_at.desc())
    else:
        query = query.where(Meeting.start_at > now).order_by(Meeting.start_at)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def month_meetings(group_ids, year, month, person=None):
    """Meetings starting in a calendar month (UTC), for the coalition calendar."""
    # A day of margin each side: a meeting late on the 31st UTC may be on the 1st locally.
    first = date(year, month, 1)
    start = datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(recurrence.add_months(first, 1), time(), tzinfo=UTC) + timedelta(days=1)
    query = select(Meeting).where(Meeting.start_at >= start, Meeting.start_at < end)
    if group_ids is not None:
        query = query.where(Meeting.group_id.in_(group_ids))
    if person is not None:
        query = query.where(permissions.sensitivity_clause(person, Meeting))
    return db.session.scalars(query.order_by(Meeting.start_at).options(_group_loader())).all()


def alarm_minutes(person):
    value = db.session.scalar(select(CalendarPreference.alarm_minutes).where(
        CalendarPreference.person_id == person.id))
    return DEFAULT_ALARM_MINUTES if value is None else value


def set_alarm_minutes(person, minutes):
    """How long before each meeting the person's calendar program reminds them (0 = none)."""
    if minutes not in ALARM_CHOICES:
        raise ValidationError({"alarm_minutes": _("Choose one of the offered reminder times.")})
    pref = db.session.get(CalendarPreference, person.id)
    if pref is None:
        pref = CalendarPreference(person_id=person.id)
        db.session.add(pref)
    pref.alarm_minutes = minutes
    db.session.flush()


def reset_calendar_token(person):
    """A new private feed address; the old one stops working at once."""
    person.calendar_token = new_calendar_token()
    db.session.flush()
    return person.calendar_token


def person_for_calendar_token(token):
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Person).where(Person.calendar_token == token,
                                                  Person.is_active_account.is_(True)))


def feed_meetings(person, now, past_days=180):
    """Every meeting of the person's groups from half a year ago on, cancelled ones included;
    TLP:RED meetings never enter a feed, AMBER+STRICT ones only their participant's."""
    ids = meeting_group_ids(person)
    if not ids:
        return []
    return db.session.scalars(
        select(Meeting).where(Meeting.group_id.in_(ids),
                              Meeting.start_at >= now - timedelta(days=past_days),
                              *_feed_clauses(person))
        .order_by(Meeting.start_at).options(_group_loader())).all()


def feed_fingerprint(person, now, past_days=180):
    """A short string that changes whenever the person's feed would change (for ETags)."""
    ids = meeting_group_ids(person)
    count, latest, seq = 0, None, 0
    if ids:
        count, latest, seq = db.session.execute(
            select(func.count(), func.max(Meeting.updated_at), func.sum(Meeting.sequence))
            .where(Meeting.group_id.in_(ids),
                   Meeting.start_at >= now - timedelta(days=past_days),
                   *_feed_clauses(person))).one()
    return (f"{person.name}-{sorted(ids)}-{count}-{latest}-{seq}-"
            f"{alarm_minutes(person)}-{now.date()}")


def _feed_clauses(person):
    """What a calendar feed leaves out: RED meetings (permissions.may_leave_by 'feed') and
    AMBER+STRICT meetings of other participants."""
    from wg.sensitivity import Sensitivity

    return (Meeting.sensitivity != Sensitivity.red,
            permissions.sensitivity_clause(person, Meeting))


def touch_meetings(meeting_ids, now):
    """Raise SEQUENCE for meetings whose calendar entry changed outside the functions above."""
    if meeting_ids:
        db.session.execute(update(Meeting).where(Meeting.id.in_(meeting_ids)).values(
            sequence=Meeting.sequence + 1, updated_at=now))
