"""Meetings: the rules for series, single meetings, agenda, RSVP, attendance, minutes, feeds.

Every function takes the acting person and `now` where they matter; permission checks happen
in wg.permissions loaders before these are called. Services flush; callers commit.
"""

import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import markdown
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from wg.auth.models import Person, new_calendar_token
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.meetings import recurrence, timezones
from wg.meetings.models import (
    AgendaItem,
    Attendance,
    CalendarPreference,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Representation,
    Rsvp,
    RsvpAnswer,
    RuleKind,
)
from wg.participants.models import Participant

MIN_DURATION, MAX_DURATION = 15, 8 * 60
DEFAULT_ALARM_MINUTES = 30
ALARM_CHOICES = [0, 10, 15, 30, 60, 120, 1440]
URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.I)


def new_uid():
    return f"{uuid.uuid4().hex}@coalition-tracker"


# ---------------------------------------------------------------- input checking


@dataclass
class SeriesInput:
    title: str
    rule_kind: str
    week: int | None
    weekday: int | None
    month_day: int | None
    start_time: time
    timezone: str
    duration_minutes: int
    place: str
    video_url: str
    first_date: date
    last_date: date | None


FIRST_YEAR, LAST_YEAR = 2000, 2100
DATE_RANGE_MESSAGE = f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}."


def _plausible(day):
    return FIRST_YEAR <= day.year <= LAST_YEAR


def _check_common(errors, *, title, timezone, duration_minutes, video_url, start_time):
    if not (title or "").strip():
        errors["title"] = "Give the meeting a title."
    try:
        recurrence.zone(timezone)
    except ValueError:
        errors["timezone"] = "Unknown time zone. Choose an IANA zone such as Europe/Vienna."
    if duration_minutes is None or not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = (
            f"A meeting lasts between {MIN_DURATION} minutes and {MAX_DURATION // 60} hours."
        )
    if video_url and not URL_RE.match(video_url):
        errors["video_url"] = "The video link must start with https:// (or http://)."
    if start_time is None:
        errors["start_time"] = "Give a start time such as 14:00."


def series_dates(data, until):
    rule = recurrence.monthly_rule(
        kind=data.rule_kind, first_date=data.first_date, last_date=data.last_date,
        week=data.week, weekday=data.weekday, month_day=data.month_day,
    )
    return recurrence.occurrence_dates(rule, until)


def check_series(data, now):
    """Raise ValidationError (per field) unless the series makes sense; return its dates."""
    errors = {}
    _check_common(errors, title=data.title, timezone=data.timezone,
                  duration_minutes=data.duration_minutes, video_url=data.video_url,
                  start_time=data.start_time)
    if data.rule_kind == RuleKind.weekday.value:
        if data.week not in (1, 2, 3, 4, -1):
            errors["week"] = "Choose first, second, third, fourth or last."
        if data.weekday not in range(7):
            errors["weekday"] = "Choose a day of the week."
    elif data.rule_kind == RuleKind.monthday.value:
        if data.month_day is None or not 1 <= data.month_day <= 31:
            errors["month_day"] = "Choose a day of the month from 1 to 31."
    else:
        errors["rule_kind"] = "Choose how the meeting repeats."
    if data.first_date is None:
        errors["first_date"] = "Give the first date."
    elif not _plausible(data.first_date):
        errors["first_date"] = DATE_RANGE_MESSAGE
    elif data.last_date is not None and not _plausible(data.last_date):
        errors["last_date"] = DATE_RANGE_MESSAGE
    elif data.last_date is not None and data.last_date < data.first_date:
        errors["last_date"] = "The last date is before the first date."
    if errors:
        raise ValidationError(errors)
    until = data.last_date or recurrence.horizon(max(now.date(), data.first_date))
    dates = series_dates(data, until)
    if not dates:
        raise ValidationError({"last_date": "No meeting falls between the first and last date "
                                            "with this rule. Widen the dates or change the rule."})
    for day in dates:
        try:
            recurrence.local_to_utc(day, data.start_time, data.timezone)
        except recurrence.NonexistentLocalTime:
            raise ValidationError({"start_time": (
                f"{data.start_time:%H:%M} does not exist in {data.timezone} on {day:%d %b %Y} "
                "(the clocks jump forward). Choose another time.")}) from None
    return dates


@dataclass
class MeetingInput:
    title: str
    day: date
    start_time: time
    timezone: str
    duration_minutes: int
    place: str
    video_url: str


def check_meeting(data):
    """Raise ValidationError unless a single meeting's fields make sense; return its start."""
    errors = {}
    _check_common(errors, title=data.title, timezone=data.timezone,
                  duration_minutes=data.duration_minutes, video_url=data.video_url,
                  start_time=data.start_time)
    if data.day is None:
        errors["day"] = "Give the date."
    elif not _plausible(data.day):
        errors["day"] = DATE_RANGE_MESSAGE
    if errors:
        raise ValidationError(errors)
    try:
        return recurrence.local_to_utc(data.day, data.start_time, data.timezone)
    except recurrence.NonexistentLocalTime:
        raise ValidationError({"start_time": (
            f"{data.start_time:%H:%M} does not exist in {data.timezone} on {data.day:%d %b %Y} "
            "(the clocks jump forward). Choose another time.")}) from None


# ---------------------------------------------------------------- series


def _series_fields(series, data):
    series.title = data.title.strip()
    series.rule_kind = RuleKind(data.rule_kind)
    series.week = data.week if data.rule_kind == "weekday" else None
    series.weekday = data.weekday if data.rule_kind == "weekday" else None
    series.month_day = data.month_day if data.rule_kind == "monthday" else None
    series.start_time = data.start_time
    series.timezone = data.timezone
    series.duration_minutes = data.duration_minutes
    series.place = (data.place or "").strip()
    series.video_url = (data.video_url or "").strip()
    series.first_date = data.first_date
    series.last_date = data.last_date


def series_input(series):
    return SeriesInput(
        title=series.title, rule_kind=series.rule_kind.value, week=series.week,
        weekday=series.weekday, month_day=series.month_day, start_time=series.start_time,
        timezone=series.timezone, duration_minutes=series.duration_minutes, place=series.place,
        video_url=series.video_url, first_date=series.first_date, last_date=series.last_date,
    )


def describe_series(series):
    return recurrence.describe_rule(series.rule_kind.value, series.week, series.weekday,
                                    series.month_day)


def create_series(group, actor, data, now):
    """A chair's new monthly series; its meetings are materialized at least 12 months ahead."""
    check_series(data, now)
    series = MeetingSeries(group_id=group.id, created_at=now, updated_at=now)
    _series_fields(series, data)
    db.session.add(series)
    db.session.flush()
    extend_series(series, now)
    return series


def _meeting_row(series, day, now):
    return dict(
        uid=new_uid(), group_id=series.group_id, series_id=series.id, occurrence_date=day,
        start_at=recurrence.local_to_utc(day, series.start_time, series.timezone),
        duration_minutes=series.duration_minutes, timezone=series.timezone, title=series.title,
        place=series.place, video_url=series.video_url, status=MeetingStatus.scheduled,
        cancel_reason="", is_edited=False, is_extra=False, sequence=0, minutes_md="",
        minutes_html="", created_at=now, updated_at=now,
    )


def extend_series(series, now, until=None):
    """Add the series' missing meetings up to `until` (default: 12+ months ahead). Idempotent."""
    until = until or recurrence.horizon(now.date())
    if series.last_date:
        until = min(until, series.last_date)
    dates = series_dates(series_input(series), until)
    have = set(db.session.scalars(
        select(Meeting.occurrence_date).where(Meeting.series_id == series.id)))
    rows = []
    for day in dates:
        if day in have:
            continue
        try:
            rows.append(_meeting_row(series, day, now))
        except recurrence.NonexistentLocalTime:
            continue  # checked when the series was saved; a later tzdata change skips the day
    if rows:
        db.session.execute(insert(Meeting), rows)
    series.materialized_until = max(until, series.materialized_until or until)
    db.session.flush()
    return len(rows)


def extend_all_series(now):
    """Keep every open series materialized 12+ months ahead (run daily or on demand)."""
    added = 0
    horizon = recurrence.horizon(now.date())
    for series in db.session.scalars(select(MeetingSeries).where(
            or_(MeetingSeries.materialized_until.is_(None),
                MeetingSeries.materialized_until < horizon))):
        added += extend_series(series, now)
    return added


@dataclass
class SeriesChange:
    changed: int = 0
    kept: int = 0  # future meetings edited by hand, left as they were
    added: int = 0
    cancelled: int = 0

    def message(self):
        parts = [f"{self.changed} future meeting{'s' if self.changed != 1 else ''} updated"]
        if self.added:
            parts.append(f"{self.added} added")
        if self.cancelled:
            parts.append(f"{self.cancelled} no longer on the rule and cancelled")
        if self.kept:
            parts.append(f"{self.kept} edited by hand kept as they were")
        return "Series saved: " + ", ".join(parts) + "."


SERIES_MOVED_REASON = "The series' schedule changed; this date is no longer part of it."


def update_series(series, actor, data, now):
    """Change the series; its future meetings not edited by hand follow, the past stays.

    Future dates that leave the rule are cancelled (kept so calendars drop them); dates that
    join it are added. Returns a SeriesChange that says what happened.
    """
    check_series(data, now)
    _series_fields(series, data)
    series.updated_at = now
    change = SeriesChange()
    until = recurrence.horizon(now.date())
    wanted = set(series_dates(data, min(until, data.last_date) if data.last_date else until))
    future = db.session.scalars(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.start_at > now)).all()
    for meeting in future:
        if meeting.is_edited:
            change.kept += 1
            continue
        if meeting.occurrence_date in wanted:
            meeting.start_at = recurrence.local_to_utc(
                meeting.occurrence_date, series.start_time, series.timezone)
            meeting.timezone = series.timezone
            meeting.duration_minutes = series.duration_minutes
            meeting.title, meeting.place = series.title, series.place
            meeting.video_url = series.video_url
            if meeting.status is MeetingStatus.cancelled:
                meeting.status, meeting.cancel_reason = MeetingStatus.scheduled, ""
            meeting.sequence += 1
            meeting.updated_at = now
            change.changed += 1
        elif meeting.status is not MeetingStatus.cancelled:
            meeting.status = MeetingStatus.cancelled
            meeting.cancel_reason = SERIES_MOVED_REASON
            meeting.sequence += 1
            meeting.updated_at = now
            change.cancelled += 1
    db.session.flush()
    # Dates before now that the new rule would add are history; only add future ones.
    have = {m.occurrence_date for m in future} | set(db.session.scalars(
        select(Meeting.occurrence_date).where(Meeting.series_id == series.id)))
    rows = []
    for day in sorted(wanted - have):
        row = _meeting_row(series, day, now)
        if row["start_at"] > now:
            rows.append(row)
    if rows:
        db.session.execute(insert(Meeting), rows)
    change.added = len(rows)
    series.materialized_until = until
    db.session.flush()
    return change


# ---------------------------------------------------------------- single meetings


def _apply_meeting(meeting, data, start_at):
    meeting.title = data.title.strip()
    meeting.start_at = start_at
    meeting.timezone = data.timezone
    meeting.duration_minutes = data.duration_minutes
    meeting.place = (data.place or "").strip()
    meeting.video_url = (data.video_url or "").strip()


def meeting_input(meeting):
    local = meeting.start_at.astimezone(recurrence.zone(meeting.timezone))
    return MeetingInput(title=meeting.title, day=local.date(),
                        start_time=local.time().replace(tzinfo=None),
                        timezone=meeting.timezone, duration_minutes=meeting.duration_minutes,
                        place=meeting.place, video_url=meeting.video_url)


def reschedule_meeting(meeting, actor, data, now):
    """Move or edit one meeting; it is then 'edited by hand' and series edits leave it alone."""
    if meeting.status is MeetingStatus.cancelled:
        raise ValidationError("This meeting is cancelled; restore it before changing it.")
    start_at = check_meeting(data)
    _apply_meeting(meeting, data, start_at)
    meeting.is_edited = True
    meeting.sequence += 1
    meeting.updated_at = now
    db.session.flush()
    return meeting


def cancel_meeting(meeting, actor, reason, now):
    """Cancel one meeting with a reason that members see; calendars get STATUS:CANCELLED."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the meeting is cancelled; members will see it."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason under 1,000 characters."})
    if meeting.status is MeetingStatus.held:
        raise ValidationError({"reason": "This meeting has been held; it cannot be cancelled."})
    meeting.status = MeetingStatus.cancelled
    meeting.cancel_reason = reason
    meeting.is_edited = True
    meeting.sequence += 1
    meeting.updated_at = now
    db.session.flush()
    return meeting


def restore_meeting(meeting, actor, now):
    """Undo a cancellation."""
    if meeting.status is MeetingStatus.cancelled:
        meeting.status = MeetingStatus.scheduled
        meeting.cancel_reason = ""
        meeting.sequence += 1
        meeting.updated_at = now
        db.session.flush()
    return meeting


def add_extra_meeting(group, actor, data, now):
    """An extra meeting outside any series."""
    start_at = check_meeting(data)
    meeting = Meeting(uid=new_uid(), group_id=group.id, is_extra=True, created_at=now,
                      updated_at=now, status=MeetingStatus.scheduled, sequence=0)
    _apply_meeting(meeting, data, start_at)
    db.session.add(meeting)
    db.session.flush()
    return meeting


# ---------------------------------------------------------------- time zones


def member_zones(group):
    """(participant, zone) for every active member and chair of the group."""
    rows = db.session.execute(
        select(Participant, Person.timezone)
        .join(Person, Person.participant_id == Participant.id)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.group_id == group.id, Membership.role.in_([Role.member, Role.chair]),
               Person.is_active_account.is_(True))
        .distinct()
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


# ---------------------------------------------------------------- agenda


@dataclass
class AgendaInput:
    title: str
    presenter: str = ""
    minutes_allotted: int | None = None
    link: str = ""
    notes: str = ""


def _check_agenda(data):
    errors = {}
    if not (data.title or "").strip():
        errors["title"] = "Give the item a title."
    if data.minutes_allotted is not None and not 1 <= data.minutes_allotted <= 480:
        errors["minutes_allotted"] = "Between 1 and 480 minutes."
    if data.link and not URL_RE.match(data.link):
        errors["link"] = "The link must start with https:// (or http://)."
    if errors:
        raise ValidationError(errors)


def add_agenda_item(meeting, actor, data, now, carried_from=None):
    """Append an item at the end of the meeting's agenda."""
    _check_agenda(data)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(
        AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(meeting_id=meeting.id, position=(last or 0) + 1, title=data.title.strip(),
                      presenter=(data.presenter or "").strip(),
                      minutes_allotted=data.minutes_allotted, link=(data.link or "").strip(),
                      notes=(data.notes or "").strip(),
                      carried_from_id=carried_from.id if carried_from else None)
    db.session.add(item)
    meeting.updated_at = now
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])
    return item


def update_agenda_item(item, actor, data, now):
    _check_agenda(data)
    item.title, item.presenter = data.title.strip(), (data.presenter or "").strip()
    item.minutes_allotted, item.link = data.minutes_allotted, (data.link or "").strip()
    item.notes = (data.notes or "").strip()
    db.session.flush()
    return item


def move_agenda_item(item, actor, direction):
    """Swap the item with its neighbour above (-1) or below (+1); positions stay 1..n."""
    items = list(db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == item.meeting_id).order_by(AgendaItem.position, AgendaItem.id)))
    index = items.index(item)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items, start=1):
        row.position = position
    db.session.flush()
    db.session.expire(item.meeting, ["agenda_items"])


def delete_agenda_item(item, actor):
    meeting = item.meeting
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])


def set_item_done(item, actor, is_done):
    item.is_done = bool(is_done)
    db.session.flush()


def publish_agenda(meeting, actor, now):
    """Members see the agenda once it is published."""
    if not meeting.agenda_items:
        raise ValidationError("Add at least one agenda item before publishing.")
    meeting.agenda_published_at = now
    meeting.sequence += 1
    meeting.updated_at = now
    db.session.flush()


def previous_meeting(meeting):
    return db.session.scalar(select(Meeting).where(
        Meeting.group_id == meeting.group_id, Meeting.start_at < meeting.start_at,
        Meeting.status != MeetingStatus.cancelled, Meeting.id != meeting.id,
    ).order_by(Meeting.start_at.desc()).limit(1))


def open_actions_for_backlog(group, now):
    """The group's open actions offered for carry-over into the next agenda, soonest due first."""
    from sqlalchemy.orm import joinedload

    from wg.actions.models import OPEN_STATUSES, ActionItem

    return list(db.session.scalars(
        select(ActionItem).options(joinedload(ActionItem.owner))
        .where(ActionItem.group_id == group.id, ActionItem.status.in_(OPEN_STATUSES))
        .order_by(ActionItem.due_date, ActionItem.id).limit(50)))


def actions_from_meeting(meeting):
    """Actions that came out of this meeting (their origin meeting)."""
    from sqlalchemy.orm import joinedload

    from wg.actions.models import ActionItem

    return list(db.session.scalars(
        select(ActionItem).options(joinedload(ActionItem.owner))
        .where(ActionItem.origin_meeting_id == meeting.id).order_by(ActionItem.id)))


def meeting_choices(group, now, limit=40):
    """(id, label) of a group's meetings of the last 18 months and next two, newest first."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.start_at).where(
            Meeting.group_id == group.id, Meeting.status != MeetingStatus.cancelled,
            Meeting.start_at > now - timedelta(days=550), Meeting.start_at < now + timedelta(days=62))
        .order_by(Meeting.start_at.desc()).limit(limit)).all()
    return [(mid, f"{start:%d %b %Y} · {title}") for mid, title, start in rows]


def backlog(meeting, now):
    """The previous meeting's unfinished items not yet carried into this one, and open actions."""
    previous = previous_meeting(meeting)
    items = []
    if previous is not None:
        carried = set(db.session.scalars(select(AgendaItem.carried_from_id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.carried_from_id.is_not(None))))
        items = [i for i in previous.agenda_items if not i.is_done and i.id not in carried]
    return {"previous": previous, "items": items,
            "actions": open_actions_for_backlog(meeting.group, now)}


def carry_over(meeting, actor, item_ids, now, action_ids=()):
    """Copy the chosen unfinished items of the previous meeting (and chosen open actions of the
    group) to the end of this agenda. Ids that are not on offer are ignored."""
    offer = backlog(meeting, now)
    offered = {i.id: i for i in offer["items"]}
    actions = {a.id: a for a in offer["actions"]}
    added = []
    for item_id in item_ids:
        source = offered.get(item_id)
        if source is None:
            continue
        added.append(add_agenda_item(meeting, actor, AgendaInput(
            title=source.title, presenter=source.presenter,
            minutes_allotted=source.minutes_allotted, link=source.link, notes=source.notes,
        ), now, carried_from=source))
    for action_id in action_ids:
        action = actions.get(action_id)
        if action is None:
            continue
        owner = getattr(action, "owner", None)
        added.append(add_agenda_item(meeting, actor, AgendaInput(
            title=f"Action: {action.title}"[:300],
            presenter=getattr(owner, "name", "") or "", notes="Open action of the group.",
        ), now))
    return added


# ---------------------------------------------------------------- RSVP and attendance


def set_rsvp(meeting, person, answer, now):
    """A member answers yes, no or maybe for an upcoming meeting; a new answer replaces the old."""
    try:
        answer = RsvpAnswer(answer)
    except ValueError:
        raise ValidationError({"answer": "Answer yes, no or maybe."}) from None
    if meeting.status is MeetingStatus.cancelled:
        raise ValidationError("This meeting is cancelled.")
    if meeting.end_at < now:
        raise ValidationError("This meeting is over.")
    rsvp = db.session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id,
                                                Rsvp.person_id == person.id))
    if rsvp is None:
        rsvp = Rsvp(meeting_id=meeting.id, person_id=person.id, answer=answer)
        db.session.add(rsvp)
    rsvp.answer, rsvp.answered_at = answer, now
    db.session.flush()
    return rsvp


def rsvp_of(meeting, person):
    return db.session.scalar(select(Rsvp.answer).where(Rsvp.meeting_id == meeting.id,
                                                        Rsvp.person_id == person.id))


def rsvp_people(meeting):
    """Who answered what, for the chairs: {answer: [Person, ...]} sorted by name."""
    rows = db.session.execute(
        select(Rsvp.answer, Person).join(Person, Person.id == Rsvp.person_id)
        .where(Rsvp.meeting_id == meeting.id).order_by(Person.name)).all()
    result = {a: [] for a in RsvpAnswer}
    for answer, person in rows:
        result[answer].append(person)
    return result


def rsvp_counts(meeting):
    rows = db.session.execute(select(Rsvp.answer, func.count()).where(
        Rsvp.meeting_id == meeting.id).group_by(Rsvp.answer))
    counts = {a: 0 for a in RsvpAnswer}
    counts.update(dict(rows.all()))
    return counts


def roster(group):
    """Members and chairs of the group with their participant, by participant then name."""
    return db.session.execute(
        select(Person, Participant).join(Participant, Participant.id == Person.participant_id)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.group_id == group.id, Membership.role.in_([Role.member, Role.chair]))
        .distinct().order_by(Participant.name, Person.name)
    ).all()


def attendance_of(meeting):
    people = set(db.session.scalars(select(Attendance.person_id).where(
        Attendance.meeting_id == meeting.id)))
    participants = set(db.session.scalars(select(Representation.participant_id).where(
        Representation.meeting_id == meeting.id)))
    return people, participants


def attendees(meeting):
    """(people present, participants represented), each sorted by name; two queries."""
    people = db.session.scalars(
        select(Person).join(Attendance, Attendance.person_id == Person.id)
        .where(Attendance.meeting_id == meeting.id).order_by(Person.name)).all()
    participants = db.session.scalars(
        select(Participant).join(Representation, Representation.participant_id == Participant.id)
        .where(Representation.meeting_id == meeting.id).order_by(Participant.name)).all()
    return people, participants


def record_attendance(meeting, actor, person_ids, participant_ids, now):
    """Replace who attended and which participants were represented; marks the meeting held.

    Attendees must be in the group; every attendee's own participant counts as represented.
    """
    if meeting.status is MeetingStatus.cancelled:
        raise ValidationError("This meeting is cancelled.")
    if meeting.start_at > now:
        raise ValidationError("Attendance can be recorded once the meeting has started.")
    members = {p.id: part for p, part in roster(meeting.group)}
    person_ids = {int(i) for i in person_ids}
    unknown = person_ids - set(members)
    if unknown:
        raise ValidationError({"people": "Only members of the group can be marked present."})
    participant_ids = {int(i) for i in participant_ids}
    known = set(db.session.scalars(select(Participant.id).where(
        Participant.id.in_(participant_ids)))) if participant_ids else set()
    if participant_ids - known:
        raise ValidationError({"participants": "Unknown country or organization."})
    participant_ids |= {members[pid].id for pid in person_ids}
    db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    db.session.execute(delete(Representation).where(Representation.meeting_id == meeting.id))
    if person_ids:
        db.session.execute(insert(Attendance), [dict(meeting_id=meeting.id, person_id=p)
                                                for p in sorted(person_ids)])
    if participant_ids:
        db.session.execute(insert(Representation), [dict(meeting_id=meeting.id, participant_id=p)
                                                     for p in sorted(participant_ids)])
    meeting.status = MeetingStatus.held
    meeting.attendance_recorded_at = now
    meeting.updated_at = now
    db.session.flush()
    return len(person_ids), len(participant_ids)


def attendance_over_time(group, limit=18):
    """The group's last held meetings, oldest first, with people and participants present."""
    held = db.session.execute(
        select(Meeting.id, Meeting.start_at).where(
            Meeting.group_id == group.id, Meeting.status == MeetingStatus.held)
        .order_by(Meeting.start_at.desc()).limit(limit)).all()
    ids = [m.id for m in held]
    if not ids:
        return []
    people = dict(db.session.execute(select(Attendance.meeting_id, func.count()).where(
        Attendance.meeting_id.in_(ids)).group_by(Attendance.meeting_id)).all())
    parts = dict(db.session.execute(select(Representation.meeting_id, func.count()).where(
        Representation.meeting_id.in_(ids)).group_by(Representation.meeting_id)).all())
    return [dict(id=mid, start_at=start, people=people.get(mid, 0), participants=parts.get(mid, 0))
            for mid, start in reversed(held)]


def participant_attendance(participant, visible_group_ids=None):
    """Per group the participant has members in: held meetings and how many it attended."""
    groups_q = select(Membership.group_id).join(Person, Person.id == Membership.person_id).where(
        Person.participant_id == participant.id,
        Membership.role.in_([Role.member, Role.chair])).distinct()
    group_ids = set(db.session.scalars(groups_q))
    if visible_group_ids is not None:
        group_ids &= set(visible_group_ids)
    if not group_ids:
        return []
    held = dict(db.session.execute(select(Meeting.group_id, func.count()).where(
        Meeting.group_id.in_(group_ids), Meeting.status == MeetingStatus.held)
        .group_by(Meeting.group_id)).all())
    attended = dict(db.session.execute(
        select(Meeting.group_id, func.count()).join(
            Representation, and_(Representation.meeting_id == Meeting.id,
                                 Representation.participant_id == participant.id))
        .where(Meeting.group_id.in_(group_ids), Meeting.status == MeetingStatus.held)
        .group_by(Meeting.group_id)).all())
    groups = db.session.scalars(select(Group).where(Group.id.in_(group_ids))
                                .order_by(Group.position, Group.code)).all()
    rows = []
    for g in groups:
        total = held.get(g.id, 0)
        count = attended.get(g.id, 0)
        rows.append(dict(group=g, held=total, attended=count,
                         rate=round(100 * count / total) if total else None))
    return rows


# ---------------------------------------------------------------- minutes and decisions

_CODE_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")
NH3_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4",
            "h5", "h6", "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th",
            "td", "del"}


_local = threading.local()


def _markdown():
    """One Markdown converter per thread (building one costs more than converting a page)."""
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown(
            extensions=["tables", "sane_lists", "fenced_code"])
    return converter


def render_markdown(text):
    """Markdown to HTML, sanitized (bounded and linear: see wg.markdown)."""
    from wg import markdown as wg_markdown

    return wg_markdown.render(text)


def check_minutes(text):
    from wg import markdown as wg_markdown

    wg_markdown.check(text, "minutes")


def save_minutes(meeting, actor, text, now):
    """Store the minutes (Markdown) and their sanitized HTML; publishing is separate."""
    check_minutes(text)
    meeting.minutes_md = text or ""
    meeting.minutes_html = render_markdown(text)
    meeting.updated_at = now
    db.session.flush()


def publish_minutes(meeting, actor, now):
    if not (meeting.minutes_md or "").strip():
        raise ValidationError({"minutes": "Write the minutes before publishing them."})
    meeting.minutes_published_at = now
    db.session.flush()


def add_decision(meeting, actor, text, now):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"decision": "Write the decision."})
    if len(text) > 2000:
        raise ValidationError({"decision": "Keep a decision under 2,000 characters."})
    if _TAG_RE.search(text):
        raise ValidationError({"decision": "Plain text only; HTML tags are not allowed."})
    last = db.session.scalar(select(func.max(Decision.position)).where(
        Decision.meeting_id == meeting.id))
    decision = Decision(meeting_id=meeting.id, position=(last or 0) + 1, text=text,
                        created_at=now)
    db.session.add(decision)
    db.session.flush()
    db.session.expire(meeting, ["decisions"])
    return decision


def delete_decision(decision, actor):
    meeting_id = decision.meeting_id
    db.session.delete(decision)
    db.session.flush()
    meeting = db.session.get(Meeting, meeting_id)
    db.session.expire(meeting, ["decisions"])


# ---------------------------------------------------------------- e-mail to members

NOTICE_SUBJECTS = {
    "meeting-cancelled": "Cancelled: {code} meeting on {day}",
    "agenda-published": "Agenda: {code} meeting on {day}",
}


def _local_when(meeting, zone_name):
    try:
        tz = recurrence.zone(zone_name)
    except ValueError:
        tz = UTC
    local = meeting.start_at.astimezone(tz)
    anchor = meeting.start_at.astimezone(recurrence.zone(meeting.timezone))
    city = meeting.timezone.rsplit("/", 1)[-1].replace("_", " ")
    return (f"{local:%A %d %B %Y, %H:%M} {local.tzname()} your time "
            f"({anchor:%H:%M} {city})")


def notify_members(meeting, kind, actor, now, base_url):
    """Queue one e-mail per active member of the group (the actor excepted) about a change:
    'meeting-cancelled' or 'agenda-published'. Only for meetings still ahead.

    The key names the meeting's SEQUENCE, so a retry queues nothing new while a later change
    (a re-published agenda) does. Returns how many messages were queued.
    """
    from flask import render_template

    from wg.notify.models import OutboxMessage, OutboxState
    from wg.notify.services import enqueue

    if meeting.start_at <= now:
        return 0
    people = db.session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.group_id == meeting.group_id,
               Membership.role.in_([Role.member, Role.chair]),
               Person.is_active_account.is_(True), Person.id != getattr(actor, "id", None))
        .distinct()).all()
    link = f"{base_url}/meetings/{meeting.id}"
    anchor_day = meeting.start_at.astimezone(recurrence.zone(meeting.timezone))
    subject = NOTICE_SUBJECTS[kind].format(code=meeting.group.code, day=f"{anchor_day:%d %b %Y}")
    prefix = f"{kind}:{meeting.id}:{meeting.sequence}:"
    existing = set(db.session.scalars(select(OutboxMessage.key).where(
        OutboxMessage.key.like(prefix + "%"))))
    rows = []
    for person in people:
        key = f"{prefix}{person.id}"
        if key in existing:
            continue
        rows.append(dict(
            key=key, kind=kind, recipient=person.email, subject=subject,
            body_text=render_template(f"notify/email/{kind}.txt", person=person,
                                      meeting=meeting, link=link,
                                      when=_local_when(meeting, person.timezone)),
            body_html=None, state=OutboxState.queued, attempts=0, created_at=now))
    if not rows:
        return 0
    try:
        with db.session.begin_nested():
            for start in range(0, len(rows), 2000):
                db.session.execute(insert(OutboxMessage), rows[start:start + 2000])
    except IntegrityError:
        # Another process queued some of them meanwhile: fall back to one at a time.
        for row in rows:
            enqueue(key=row["key"], kind=kind, recipient=row["recipient"], subject=subject,
                    body_text=row["body_text"], now=now)
    return len(rows)


# ---------------------------------------------------------------- lists and calendars


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
                              Meeting.start_at > now - timedelta(hours=3))
        .order_by(Meeting.start_at).limit(limit)
        .options(_group_loader())).all()


def _group_loader():
    from sqlalchemy.orm import joinedload

    return joinedload(Meeting.group)


def group_meetings(group, now, past, page, per_page=10):
    """A page of the group's upcoming (soonest first) or past (latest first) meetings."""
    query = select(Meeting).where(Meeting.group_id == group.id)
    if past:
        query = query.where(Meeting.start_at <= now).order_by(Meeting.start_at.desc())
    else:
        query = query.where(Meeting.start_at > now).order_by(Meeting.start_at)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def month_meetings(group_ids, year, month):
    """Meetings starting in a calendar month (UTC), for the coalition calendar."""
    # A day of margin each side: a meeting late on the 31st UTC may be on the 1st locally.
    first = date(year, month, 1)
    start = datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(recurrence.add_months(first, 1), time(), tzinfo=UTC) + timedelta(days=1)
    query = select(Meeting).where(Meeting.start_at >= start, Meeting.start_at < end)
    if group_ids is not None:
        query = query.where(Meeting.group_id.in_(group_ids))
    return db.session.scalars(query.order_by(Meeting.start_at).options(_group_loader())).all()


def alarm_minutes(person):
    value = db.session.scalar(select(CalendarPreference.alarm_minutes).where(
        CalendarPreference.person_id == person.id))
    return DEFAULT_ALARM_MINUTES if value is None else value


def set_alarm_minutes(person, minutes):
    """How long before each meeting the person's calendar program reminds them (0 = none)."""
    if minutes not in ALARM_CHOICES:
        raise ValidationError({"alarm_minutes": "Choose one of the offered reminder times."})
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
    """Every meeting of the person's groups from half a year ago on, cancelled ones included."""
    ids = meeting_group_ids(person)
    if not ids:
        return []
    return db.session.scalars(
        select(Meeting).where(Meeting.group_id.in_(ids),
                              Meeting.start_at >= now - timedelta(days=past_days))
        .order_by(Meeting.start_at).options(_group_loader())).all()


def feed_fingerprint(person, now, past_days=180):
    """A short string that changes whenever the person's feed would change (for ETags)."""
    ids = meeting_group_ids(person)
    count, latest, seq = 0, None, 0
    if ids:
        count, latest, seq = db.session.execute(
            select(func.count(), func.max(Meeting.updated_at), func.sum(Meeting.sequence))
            .where(Meeting.group_id.in_(ids),
                   Meeting.start_at >= now - timedelta(days=past_days))).one()
    return (f"{person.name}-{sorted(ids)}-{count}-{latest}-{seq}-"
            f"{alarm_minutes(person)}-{now.date()}")


def touch_meetings(meeting_ids, now):
    """Raise SEQUENCE for meetings whose calendar entry changed outside the functions above."""
    if meeting_ids:
        db.session.execute(update(Meeting).where(Meeting.id.in_(meeting_ids)).values(
            sequence=Meeting.sequence + 1, updated_at=now))
