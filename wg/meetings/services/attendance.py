"""RSVP and attendance."""


from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, select

from wg import stamps
from wg.auth.models import Person
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.history import services as history
from wg.kept import Shelf
from wg.meetings.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    Representation,
    Rsvp,
    RsvpAnswer,
)
from wg.meetings.services import record
from wg.participants.models import Participant


def set_rsvp(meeting, person, answer, now):
    """A member answers yes, no or maybe for an upcoming meeting; a new answer replaces the old."""
    try:
        answer = RsvpAnswer(answer)
    except ValueError:
        raise ValidationError({"answer": _("Answer yes, no or maybe.")}) from None
    if meeting.status is MeetingStatus.cancelled:
        raise ValidationError(_("This meeting is cancelled."))
    if meeting.end_at < now:
        raise ValidationError(_("This meeting is over."))
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


def attendance_ticks(meeting, member_ids):
    """What the attendance sheet starts with: (people, participants, from_rsvp).

    Recorded attendance always wins. Until it is recorded, the members who answered "yes" are
    ticked as a first guess, and `from_rsvp` names them so the page can say so.
    """
    people, participants = attendance_of(meeting)
    if meeting.attendance_recorded_at is not None:
        return people, participants, set()
    said_yes = set(db.session.scalars(select(Rsvp.person_id).where(
        Rsvp.meeting_id == meeting.id, Rsvp.answer == RsvpAnswer.yes)))
    from_rsvp = said_yes & set(member_ids)  # a former member's answer cannot be saved
    return set(from_rsvp), participants, from_rsvp


def attendees(meeting):
    """(people present, participants represented), each sorted by name; two queries."""
    people = db.session.scalars(
        select(Person).join(Attendance, Attendance.person_id == Person.id)
        .where(Attendance.meeting_id == meeting.id).order_by(Person.name)).all()
    participants = db.session.scalars(
        select(Participant).join(Representation, Representation.participant_id == Participant.id)
        .where(Representation.meeting_id == meeting.id).order_by(Participant.name)).all()
    return people, participants


def record_attendance(meeting, actor, person_ids, participant_ids, now, expected_version=None):
    """Replace who attended and which participants were represented; marks the meeting held.

    Attendees must be in the group; every attendee's own participant counts as represented.
    """
    record.check("meeting", meeting, expected_version)
    if meeting.status is MeetingStatus.cancelled:
        raise ValidationError(_("This meeting is cancelled."))
    if meeting.start_at > now:
        raise ValidationError(_("Attendance can be recorded once the meeting has started."))
    members = {p.id: part for p, part in roster(meeting.group)}
    person_ids = {int(i) for i in person_ids}
    unknown = person_ids - set(members)
    if unknown:
        raise ValidationError({"people": _("Only members of the group can be marked present.")})
    participant_ids = {int(i) for i in participant_ids}
    known = set(db.session.scalars(select(Participant.id).where(
        Participant.id.in_(participant_ids)))) if participant_ids else set()
    if participant_ids - known:
        raise ValidationError({"participants": _("Unknown country or organization.")})
    participant_ids |= {members[pid].id for pid in person_ids}
    old_people, old_parts = attendance_of(meeting)
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    db.session.execute(delete(Representation).where(Representation.meeting_id == meeting.id))
    stamps.bump(attendance_scope(meeting.group_id))
    if person_ids:
        db.session.execute(insert(Attendance), [dict(meeting_id=meeting.id, person_id=p)
                                                for p in sorted(person_ids)])
    if participant_ids:
        db.session.execute(insert(Representation), [dict(meeting_id=meeting.id, participant_id=p)
                                                     for p in sorted(participant_ids)])
    meeting.status = MeetingStatus.held
    meeting.attendance_recorded_at = now
    record.meeting_changed(meeting, before, actor, now, "attendance_recorded", notify=False)
    changes = history.diff({"people": sorted(old_people), "participants": sorted(old_parts)},
                           {"people": sorted(person_ids), "participants": sorted(participant_ids)})
    history.record(actor, "attendance", meeting.id, "recorded", changes, now=now,
                   label=record.meeting_label(meeting), parent=("meeting", meeting.id),
                   group_id=meeting.group_id, version=meeting.version)
    record.flush("meeting", meeting, expected_version)
    return len(person_ids), len(participant_ids)


def attendance_scope(group_id):
    """The change stamp (wg.stamps) of a group's attendance records."""
    return f"attendance:{group_id}"


_counts = Shelf(64)


def attendance_over_time(group, limit=18):
    """The group's last held meetings, oldest first, with people and participants present.

    The counts are kept under the group's attendance change stamp (every attendance record
    sets it anew): at a hundred times the coalition, counting 16,000 attendees a meeting was
    half of a sub-group page's time."""
    held = db.session.execute(
        select(Meeting.id, Meeting.start_at).where(
            Meeting.group_id == group.id, Meeting.status == MeetingStatus.held)
        .order_by(Meeting.start_at.desc()).limit(limit)).all()
    ids = [m.id for m in held]
    if not ids:
        return []
    key = (group.id, tuple(ids), stamps.read([attendance_scope(group.id)]))
    counts = _counts.get(key)
    if counts is None:
        people = dict(db.session.execute(select(Attendance.meeting_id, func.count()).where(
            Attendance.meeting_id.in_(ids)).group_by(Attendance.meeting_id)).all())
        parts = dict(db.session.execute(select(Representation.meeting_id, func.count()).where(
            Representation.meeting_id.in_(ids)).group_by(Representation.meeting_id)).all())
        counts = {mid: (people.get(mid, 0), parts.get(mid, 0)) for mid in ids}
        _counts.put(key, counts)
    return [dict(id=mid, start_at=start, people=counts[mid][0], participants=counts[mid][1])
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
