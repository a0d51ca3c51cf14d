"""The one path for meeting notices: `meeting_changed(meeting, before, actor, now)`.

Every service that changes a meeting calls it once with the state before the change (None for a
new meeting). It decides what calendar programs and members must be told, raises the meeting's
SEQUENCE for changes calendars must see, and queues one e-mail per active member of the group
(the actor excepted), in each member's language, with the updated .ics (METHOD:REQUEST, or
METHOD:CANCEL for a cancellation) attached, in the caller's transaction. Keys are
kind:meeting:<id>:<sequence>:<person>, so a repeat queues nothing.
"""

from flask import current_app, render_template

from wg.meetings import ical
from wg.meetings.models import MeetingStatus
from wg.notify import services as notify
from wg.notify.i18n import strings

# Fields whose change calendar programs must see (a new SEQUENCE) and members are told about.
CALENDAR_FIELDS = ("title", "start_at", "duration_minutes", "timezone", "place", "video_url",
                   "status", "cancel_reason")


def notice_kind(before, after):
    """What to tell members about a change from `before` to `after` (snapshots), or None.

    'meeting-new', 'meeting-cancelled', 'meeting-restored', 'meeting-changed' (time, place,
    link, title) or 'agenda-published'.
    """
    cancelled = MeetingStatus.cancelled.value
    if before is None:
        return None if after["status"] == cancelled else "meeting-new"
    if after["status"] == cancelled and before["status"] != cancelled:
        return "meeting-cancelled"
    if before["status"] == cancelled and after["status"] != cancelled:
        return "meeting-restored"
    if after["status"] == cancelled:
        return None
    if any(before.get(f) != after.get(f) for f in CALENDAR_FIELDS):
        return "meeting-changed"
    if after.get("agenda_published_at") and before.get("agenda_published_at") != after.get(
            "agenda_published_at"):
        return "agenda-published"
    return None


def _recipients(meeting, actor):
    from wg.notify.reminders import _members_by_group

    people = _members_by_group({meeting.group_id}).get(meeting.group_id, [])
    actor_id = getattr(actor, "id", None)
    return sorted((p for p in people if p.id != actor_id), key=lambda p: p.id)


def calendar_file(meeting, base_url, now):
    """The meeting's .ics for a mail: METHOD:CANCEL when cancelled, else METHOD:REQUEST."""
    body = ical.build_calendar([meeting], name=f"{meeting.group.code}: {meeting.title}",
                               url_for_meeting=lambda m: f"{base_url}/meetings/{m.id}",
                               alarm_minutes=None, now=now).decode()
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    return body.replace("METHOD:PUBLISH", f"METHOD:{method}", 1)


def meeting_changed(meeting, before, actor, now, base_url=None):
    """Raise SEQUENCE when calendars must see the change and queue the members' notices.

    `before` is history.snapshot(meeting, MEETING_FIELDS) taken before the change, or None for a
    new meeting. Meetings already over get a new SEQUENCE (the feed shows them) but no mail.
    Returns how many messages were queued.
    """
    from wg.history import services as history
    from wg.meetings.services.record import MEETING_FIELDS
    from wg.notify.reminders import _sent_keys, local, when_text

    after = history.snapshot(meeting, MEETING_FIELDS)
    kind = notice_kind(before, after)
    if before is not None and (kind or any(before.get(f) != after.get(f)
                                           for f in CALENDAR_FIELDS)):
        meeting.sequence = (meeting.sequence or 0) + 1
    if kind is None or meeting.end_at <= now:
        return 0
    base_url = base_url or current_app.config["BASE_URL"]
    attachment = {"filename": f"meeting-{meeting.id}.ics", "content_type": "text/calendar",
                  "content": calendar_file(meeting, base_url, now)}
    url = f"{base_url}/meetings/{meeting.id}"
    prefix = f"{kind}:meeting:{meeting.id}:{meeting.sequence}:"
    sent = _sent_keys([prefix])
    queued = 0
    for person in _recipients(meeting, actor):
        t = strings(person.language)
        day = local(meeting.start_at, person.timezone)
        context = dict(t=t, meeting=meeting, person=person, kind=kind, url=url,
                       when=when_text(meeting, person), date=f"{day:%d %b %Y}",
                       items=list(meeting.agenda_items) if kind == "agenda-published" else [])
        subject_key = {"meeting-new": "new_subject", "meeting-cancelled": "cancelled_subject",
                       "agenda-published": "agenda_subject"}.get(kind, "changed_subject")
        subject = (t.get(subject_key) or strings("en")[subject_key]).format(
            group=meeting.group.code, date=f"{day:%d %b}")
        key = f"{prefix}{person.id}"
        if key in sent:
            continue
        notify.enqueue(key=key, kind=kind, recipient=person.email, subject=subject,
                       body_text=render_template("notify/email/meeting_notice.txt", **context),
                       body_html=render_template("notify/email/meeting_notice.html", **context),
                       attachments=[attachment], now=now)
        queued += 1
    return queued
