"""The one path for meeting notices: `meeting_changed(meeting, before, actor, now)`.

Every service that changes a meeting calls it once with the state before the change (None for a
new meeting). It decides what calendar programs and members must be told, raises the meeting's
SEQUENCE for changes calendars must see, and queues one e-mail per active member of the group
(the actor excepted), in each member's language, with the updated .ics (METHOD:REQUEST, or
METHOD:CANCEL for a cancellation) attached, in the caller's transaction. Keys are
kind:meeting:<id>:<sequence>:<person>, so a repeat queues nothing.
"""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from wg.formatting import format_datetime
from wg.i18n import language
from wg.meetings import ical
from wg.meetings.models import MeetingStatus
from wg.notify import services as notify
from wg.notify.render import (
    guarded,
    meeting_day,
    render,
    render_labelled,
    series_label,
    when_text,
)

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


def calendar_change(meeting, before):
    """Raise the meeting's SEQUENCE when calendar programs must see the change; return what
    members are to be told (see notice_kind), or None."""
    from wg.history import services as history
    from wg.meetings.services.record import MEETING_FIELDS

    after = history.snapshot(meeting, MEETING_FIELDS)
    kind = notice_kind(before, after)
    if before is not None and (kind or any(before.get(f) != after.get(f)
                                           for f in CALENDAR_FIELDS)):
        meeting.sequence = (meeting.sequence or 0) + 1
    return kind


def meeting_changed(meeting, before, actor, now, base_url=None):
    """Raise SEQUENCE when calendars must see the change and queue the members' notices.

    `before` is history.snapshot(meeting, MEETING_FIELDS) taken before the change, or None for a
    new meeting. Meetings already over get a new SEQUENCE (the feed shows them) but no mail.
    Returns how many messages were queued.
    """
    from wg.notify.reminders import _sent_keys

    kind = calendar_change(meeting, before)
    if kind is None or meeting.end_at <= now:
        return 0
    base_url = base_url or current_app.config["BASE_URL"]
    attachments = {}  # one .ics per language: its description speaks the recipient's
    url = f"{base_url}/meetings/{meeting.id}"
    prefix = f"{kind}:meeting:{meeting.id}:{meeting.sequence}:"
    sent = _sent_keys([prefix])
    items = list(meeting.agenda_items) if kind == "agenda-published" else []
    queued = 0
    for person in _recipients(meeting, actor):
        key = f"{prefix}{person.id}"
        if key in sent:
            continue
        with language(person.language):
            if person.language not in attachments:
                attachments[person.language] = {
                    "filename": f"meeting-{meeting.id}.ics", "content_type": "text/calendar",
                    "content": calendar_file(meeting, base_url, now)}
            subject = _notice_subject(kind, meeting.group.code, meeting_day(meeting, person))
            text, html = render_labelled("meeting_notice", meeting, meeting=meeting,
                                         person=person, kind=kind, url=url,
                                         when=when_text(meeting, person), items=items,
                                         date=meeting_day(meeting, person, "date"),
                                         base_url=base_url)
            subject, text, html, files = guarded(meeting, url, subject, text, html,
                                                 [attachments[person.language]])
        notify.enqueue(key=key, kind=kind, recipient=person.email, subject=subject,
                       body_text=text, body_html=html, attachments=files, now=now)
        queued += 1
    return queued


def _notice_subject(kind, group, date):
    if kind == "meeting-new":
        return _("New: %(group)s meeting on %(date)s", group=group, date=date)
    if kind == "meeting-cancelled":
        return _("Cancelled: %(group)s meeting on %(date)s", group=group, date=date)
    if kind == "agenda-published":
        return _("Agenda: %(group)s meeting on %(date)s", group=group, date=date)
    return _("Changed: %(group)s meeting on %(date)s", group=group, date=date)


def series_changed(series, changed, actor, now, base_url=None):
    """One e-mail per member for a change of a series' rule, however many meetings it moved,
    cancelled or added: the list of changes in the member's time zone, with two .ics files
    (METHOD:REQUEST for the meetings that stand, METHOD:CANCEL for those that no longer do).

    `changed` is [(meeting, kind)] as calendar_change returned them; the key names the series
    version, so a repeat queues nothing. Returns how many messages were queued.
    """
    from wg.notify.reminders import _sent_keys
    from wg.permissions import may_leave_by

    # RED meetings never leave by e-mail: a series change lists (and attaches) only the others.
    changed = sorted(((m, k) for m, k in changed if k and m.end_at > now
                      and may_leave_by("email", m)), key=lambda mk: mk[0].start_at)
    if not changed:
        return 0
    base_url = base_url or current_app.config["BASE_URL"]
    group = series.group
    attachments = {}  # per language
    prefix = f"series-changed:series:{series.id}:{series.version}:"
    sent = _sent_keys([prefix])
    url = f"{base_url}/series/{series.id}"
    queued = 0
    for person in _recipients(changed[0][0], actor):
        key = f"{prefix}{person.id}"
        if key in sent:
            continue
        with language(person.language):
            if person.language not in attachments:
                attachments[person.language] = _series_files(series, changed, base_url, now)
            lines = [(series_label(kind),
                      format_datetime(m.start_at, person.timezone, "full"), kind, m)
                     for m, kind in changed]
            subject = ngettext("Schedule changed: %(group)s meetings (%(num)d)",
                               "Schedule changed: %(group)s meetings (%(num)d)",
                               len(changed), group=group.code)
            text, html = render("series_notice", series=series, group=group, lines=lines,
                                url=url, person=person, base_url=base_url)
        notify.enqueue(key=key, kind="series-changed", recipient=person.email, subject=subject,
                       body_text=text, body_html=html, attachments=attachments[person.language],
                       now=now)
        queued += 1
    return queued


def _series_files(series, changed, base_url, now):
    """The .ics files of a series change: the meetings that stand (REQUEST), those that no
    longer do (CANCEL)."""
    files = []
    standing = [m for m, _kind in changed if not m.is_cancelled]
    dropped = [m for m, _kind in changed if m.is_cancelled]
    for meetings, method, name in ((standing, "REQUEST", "changed"),
                                   (dropped, "CANCEL", "cancelled")):
        if meetings:
            body = ical.build_calendar(meetings, name=f"{series.group.code}: {series.title}",
                                       url_for_meeting=lambda m: f"{base_url}/meetings/{m.id}",
                                       alarm_minutes=None, now=now).decode()
            files.append({"filename": f"series-{series.id}-{name}.ics",
                          "content_type": "text/calendar",
                          "content": body.replace("METHOD:PUBLISH", f"METHOD:{method}", 1)})
    return files
