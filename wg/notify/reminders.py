"""Who should be told what, and when: reminders, notices, requests, digests and nudges.

Each `queue_*` function takes `now` (and the public base URL), decides what is due from the
database alone, and writes outbox rows under keys that make a second run add nothing. The
small `due_*` functions hold the timing rules and are tested with plain values.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from wg.actions.models import OPEN_STATUSES, ActionItem, ProgressLog
from wg.auth.models import Person
from wg.extensions import db
from wg.formatting import sort_key
from wg.groups.models import Membership, Role
from wg.i18n import language
from wg.meetings import ical
from wg.meetings.models import Meeting, MeetingStatus
from wg.notify import services
from wg.notify.models import OutboxMessage
from wg.notify.render import guarded, meeting_day, render, render_labelled, when_text
from wg.rollups.formulas import overdue_sql

REMINDER_WINDOW = timedelta(hours=max(services.REMINDER_HOURS))
UPDATE_REQUEST_LEAD = timedelta(days=5)
PRE_READ_LEAD = timedelta(hours=48)
MINUTES_NUDGE_AFTER = timedelta(days=3)
MINUTES_NUDGE_UNTIL = timedelta(days=30)


# Timing rules (pure)


def due_reminder_hours(start_at, now, lead_hours):
    """The reminder due now for a meeting: the shortest lead time whose moment has passed.

    After downtime only the latest reminder goes out, not every missed one. None when no
    reminder is due or the meeting has started.
    """
    if now >= start_at:
        return None
    passed = [h for h in lead_hours if start_at - timedelta(hours=h) <= now]
    return min(passed) if passed else None


def iso_week(day):
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# Helpers


@dataclass
class Outgoing:
    key: str
    kind: str
    person: Person
    subject: str
    body_text: str
    body_html: str | None = None
    headers: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)


def _sent_keys(prefixes):
    """Keys already in the outbox that start with one of the prefixes (one indexed query).

    Jobs skip those before rendering anything, since a due message stays due for days.
    """
    prefixes = list(dict.fromkeys(prefixes))
    if not prefixes:
        return set()
    ranges = [and_(OutboxMessage.key >= p, OutboxMessage.key < p + "\uffff") for p in prefixes]
    found = set()
    for start in range(0, len(ranges), 200):
        found |= set(db.session.scalars(select(OutboxMessage.key).where(or_(*ranges[start:start + 200]))))
    return found


def _send_all(outgoing, now):
    """Enqueue the messages (enqueue keeps one row per key); returns how many were added."""
    for o in outgoing:
        services.enqueue(key=o.key, kind=o.kind, recipient=o.person.email, subject=o.subject,
                         body_text=o.body_text, body_html=o.body_html, headers=o.headers or None,
                         attachments=o.attachments or None, now=now)
    return len(outgoing)


def _members_by_group(group_ids, roles=(Role.member, Role.chair)):
    """Active people with one of `roles` in each group: {group_id: [Person]} in one query."""
    result = defaultdict(dict)
    if not group_ids:
        return {}
    for group_id, person in db.session.execute(
        select(Membership.group_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.group_id.in_(group_ids), Membership.role.in_(roles),
               Person.is_active_account.is_(True))
    ):
        result[group_id][person.id] = person
    return {gid: list(people.values()) for gid, people in result.items()}


def _meeting_url(base_url, meeting):
    return f"{base_url}/meetings/{meeting.id}"


def _ics_attachment(meeting, base_url, now):
    content = ical.build_calendar([meeting], name=f"{meeting.group.code}: {meeting.title}",
                                  url_for_meeting=lambda m: _meeting_url(base_url, m),
                                  alarm_minutes=None, now=now)
    return {"filename": f"meeting-{meeting.id}.ics", "content_type": "text/calendar",
            "content": content.decode()}


def _mailable(person, actions):
    """The actions whose titles may go to this person by e-mail: no RED action ever, no
    AMBER+STRICT action of another participant (wg.permissions)."""
    from wg.permissions import can_see_sensitivity, may_leave_by

    return [a for a in actions if may_leave_by("email", a) and can_see_sensitivity(person, a)]


def _settings_header(base_url):
    return {"List-Unsubscribe": f"<{base_url}/profile/notifications>"}


# Jobs


def queue_meeting_reminders(now, base_url):
    """Reminders before each meeting, at each member's chosen lead times, .ics attached."""
    meetings = list(db.session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.scheduled,
                              Meeting.start_at > now, Meeting.start_at <= now + REMINDER_WINDOW)
        .order_by(Meeting.start_at)))
    members = _members_by_group({m.group_id for m in meetings})
    prefs = services.preferences_map(sorted({p.id for ps in members.values() for p in ps}))
    sent = _sent_keys(f"meeting-reminder:{m.id}:" for m in meetings)
    outgoing = []
    for meeting in meetings:
        attachments = {}  # one .ics per language
        for person in members.get(meeting.group_id, []):
            pref = prefs[person.id]
            if not pref.meeting_reminders:
                continue
            hours = due_reminder_hours(meeting.start_at, now,
                                       (pref.first_reminder_hours, pref.second_reminder_hours))
            key = f"meeting-reminder:{meeting.id}:{meeting.start_at:%Y%m%dT%H%MZ}:{person.id}:{hours}h"
            if hours is None or key in sent:
                continue
            with language(person.language):
                if person.language not in attachments:
                    attachments[person.language] = _ics_attachment(meeting, base_url, now)
                text, html = render_labelled("meeting_reminder", meeting, meeting=meeting,
                                             person=person, when=when_text(meeting, person),
                                             url=_meeting_url(base_url, meeting),
                                             base_url=base_url)
                subject = _("Reminder: %(group)s meeting on %(date)s", group=meeting.group.code,
                            date=meeting_day(meeting, person))
                subject, text, html, files = guarded(meeting, _meeting_url(base_url, meeting),
                                                     subject, text, html,
                                                     [attachments[person.language]])
            outgoing.append(Outgoing(
                key=key, kind="meeting-reminder", person=person, subject=subject,
                body_text=text, body_html=html, attachments=files))
    return {"meetings": len(meetings), "queued": _send_all(outgoing, now)}


def _next_meetings(now, lead):
    """Each group's next scheduled meeting starting within `lead` from now."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.scheduled, Meeting.start_at > now,
                              Meeting.start_at <= now + lead).order_by(Meeting.start_at)))


def _open_actions(group_ids):
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.group_id.in_(group_ids),
                                 ActionItem.status.in_(OPEN_STATUSES))
        .order_by(ActionItem.due_date, ActionItem.id))) if group_ids else []


def queue_update_requests(now, base_url):
    """A few days before a group's meeting, each owner of open actions is asked to update them."""
    meetings = _next_meetings(now, UPDATE_REQUEST_LEAD)
    first = {}
    for m in meetings:
        first.setdefault(m.group_id, m)
    actions = _open_actions(list(first))
    by_owner = defaultdict(list)
    for a in actions:
        if a.owner_id is not None:
            by_owner[(a.group_id, a.owner_id)].append(a)
    people = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_({o for _, o in by_owner}), Person.is_active_account.is_(True)))
    } if by_owner else {}
    prefs = services.preferences_map(sorted(people))
    sent = _sent_keys(f"update-request:{m.id}:" for m in first.values())
    outgoing = []
    for (group_id, owner_id), items in by_owner.items():
        person = people.get(owner_id)
        meeting = first[group_id]
        key = f"update-request:{meeting.id}:{owner_id}"
        if person is None or not prefs[owner_id].update_requests or key in sent:
            continue
        items = _mailable(person, items)
        if not items:
            continue
        with language(person.language):
            text, html = render("update_request", meeting=meeting, person=person, actions=items,
                                base_url=base_url, date=meeting_day(meeting, person, "date"))
            subject = _("Please update your actions before the %(group)s meeting on %(date)s",
                        group=meeting.group.code, date=meeting_day(meeting, person))
        outgoing.append(Outgoing(
            key=key, kind="update-request", person=person, subject=subject,
            body_text=text, body_html=html, headers=_settings_header(base_url)))
    return {"meetings": len(first), "queued": _send_all(outgoing, now)}


def queue_overdue_digests(now, base_url):
    """Once a week: each owner gets their overdue actions; each chair their group's."""
    today = now.date()
    overdue = list(db.session.scalars(
        select(ActionItem).where(overdue_sql(ActionItem.status, ActionItem.due_date, today))
        .order_by(ActionItem.due_date, ActionItem.id)))
    per_person = defaultdict(dict)
    for a in overdue:
        if a.owner_id is not None:
            per_person[a.owner_id][a.id] = a
    chairs = _members_by_group({a.group_id for a in overdue}, roles=(Role.chair,))
    for a in overdue:
        for chair in chairs.get(a.group_id, []):
            per_person[chair.id][a.id] = a
    people = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_(list(per_person)), Person.is_active_account.is_(True)))
    } if per_person else {}
    prefs = services.preferences_map(sorted(people))
    week = iso_week(today)
    sent = _sent_keys([f"overdue-digest:{week}:"])
    outgoing = []
    for person_id, items in per_person.items():
        person = people.get(person_id)
        key = f"overdue-digest:{week}:{person_id}"
        if person is None or not prefs[person_id].overdue_digest or key in sent:
            continue
        actions = _mailable(person, sorted(items.values(), key=lambda a: (a.due_date, a.id)))
        if not actions:
            continue
        with language(person.language):
            text, html = render("overdue_digest", person=person, actions=actions,
                                base_url=base_url, today=today)
            subject = ngettext("Overdue actions: %(num)d", "Overdue actions: %(num)d",
                               len(actions))
        outgoing.append(Outgoing(
            key=key, kind="overdue-digest", person=person, subject=subject,
            body_text=text, body_html=html, headers=_settings_header(base_url)))
    return {"people": len(per_person), "queued": _send_all(outgoing, now)}


def _previous_meeting_start(meeting):
    return db.session.scalar(
        select(func.max(Meeting.start_at)).where(Meeting.group_id == meeting.group_id,
                                                 Meeting.start_at < meeting.start_at,
                                                 Meeting.status != MeetingStatus.cancelled))


def queue_pre_reads(now, base_url):
    """Two days before a meeting: progress since the last meeting, actions due, and who is silent."""
    meetings = _next_meetings(now, PRE_READ_LEAD)
    members = _members_by_group({m.group_id for m in meetings})
    prefs = services.preferences_map(sorted({p.id for ps in members.values() for p in ps}))
    sent = _sent_keys(f"pre-read:{m.id}:" for m in meetings)
    outgoing = []
    for meeting in meetings:
        todo = [p for p in members.get(meeting.group_id, [])
                if prefs[p.id].pre_reads and f"pre-read:{meeting.id}:{p.id}" not in sent]
        if not todo:
            continue
        since = _previous_meeting_start(meeting) or (meeting.start_at - timedelta(days=31))
        logs = list(db.session.execute(
            select(ProgressLog, ActionItem).join(ActionItem, ActionItem.id == ProgressLog.action_id)
            .where(ActionItem.group_id == meeting.group_id, ProgressLog.created_at >= since)
            .order_by(ProgressLog.created_at.desc()).limit(50)))
        open_actions = _open_actions([meeting.group_id])
        horizon = (meeting.start_at + timedelta(days=31)).date()
        due = [a for a in open_actions if a.due_date <= horizon][:50]
        reported = {a.id for _, a in logs}
        silent = sorted({a.owner.name for a in open_actions
                         if a.owner is not None and a.id not in reported and
                         (a.last_progress_at or a.created_at) < since}, key=sort_key)
        for person in todo:
            with language(person.language):
                text, html = render_labelled(
                    "pre_read", meeting, meeting=meeting, person=person,
                    logs=[(g, a) for g, a in logs if _mailable(person, [a])],
                    due=_mailable(person, due), silent=silent, when=when_text(meeting, person),
                    url=_meeting_url(base_url, meeting), base_url=base_url,
                    date=meeting_day(meeting, person, "date"))
                subject = _("Pre-read: %(group)s meeting on %(date)s", group=meeting.group.code,
                            date=meeting_day(meeting, person))
                subject, text, html, _files = guarded(meeting, _meeting_url(base_url, meeting),
                                                      subject, text, html, [])
            outgoing.append(Outgoing(
                key=f"pre-read:{meeting.id}:{person.id}", kind="pre-read", person=person,
                subject=subject, body_text=text, body_html=html,
                headers=_settings_header(base_url)))
    return {"meetings": len(meetings), "queued": _send_all(outgoing, now)}


def queue_minutes_nudges(now, base_url):
    """Chairs are reminded when a meeting's minutes are unpublished three days after it."""
    meetings = list(db.session.scalars(
        select(Meeting).where(Meeting.status != MeetingStatus.cancelled,
                              Meeting.minutes_published_at.is_(None),
                              Meeting.start_at <= now - MINUTES_NUDGE_AFTER,
                              Meeting.start_at > now - MINUTES_NUDGE_UNTIL)))
    chairs = _members_by_group({m.group_id for m in meetings}, roles=(Role.chair,))
    sent = _sent_keys(f"minutes-nudge:{m.id}:" for m in meetings)
    outgoing = []
    for meeting in meetings:
        for person in chairs.get(meeting.group_id, []):
            key = f"minutes-nudge:{meeting.id}:{person.id}"
            if key in sent:
                continue
            with language(person.language):
                url = f"{_meeting_url(base_url, meeting)}/minutes"
                text, html = render_labelled("minutes_nudge", meeting, meeting=meeting,
                                             person=person, url=url, base_url=base_url,
                                             date=meeting_day(meeting, person, "date"))
                subject = _("Minutes not yet published: %(group)s meeting of %(date)s",
                            group=meeting.group.code, date=meeting_day(meeting, person))
                subject, text, html, _files = guarded(meeting, url, subject, text, html, [])
            outgoing.append(Outgoing(
                key=key, kind="minutes-nudge", person=person, subject=subject,
                body_text=text, body_html=html))
    return {"meetings": len(meetings), "queued": _send_all(outgoing, now)}


