"""E-mail to a meeting's group members."""

from datetime import UTC

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Membership, Role
from wg.meetings import recurrence

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
