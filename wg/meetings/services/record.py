"""What every meetings service does after a change: bump the version, write the history entry,
and (for a meeting) hand the before/after state to the notices.

The recorded fields per object type are the replay contract: the "created" entry records all
of them and every later entry records those that changed, so replaying an object's entries gives
back `history.snapshot(obj, FIELDS)` (tests/meetings/test_history.py checks it).
"""

from sqlalchemy.orm.exc import StaleDataError

from wg.extensions import db
from wg.history import services as history
from wg.webhooks import services as webhooks

MEETING_FIELDS = ("title", "start_at", "duration_minutes", "timezone", "place", "video_url",
                  "status", "cancel_reason", "agenda_published_at", "minutes_md",
                  "minutes_published_at", "attendance_recorded_at", "sensitivity",
                  "minutes_sensitivity")
SERIES_FIELDS = ("title", "rule_kind", "week", "weekday", "month_day", "start_time", "timezone",
                 "duration_minutes", "place", "video_url", "first_date", "last_date")
AGENDA_FIELDS = ("title", "presenter", "minutes_allotted", "link", "notes", "is_done",
                 "position")
DECISION_FIELDS = ("text", "position")


def meeting_label(meeting):
    return f"{meeting.group.code}: {meeting.title} ({meeting.start_at:%d %b %Y})"


def check(object_type, obj, expected_version):
    """history.check_version for a meetings object (StaleEdit when the form is stale)."""
    history.check_version(object_type, obj, expected_version)


def flush(object_type, obj, seen_version=None):
    """Flush; a row changed by someone else between check and write becomes a StaleEdit."""
    object_id = obj.__dict__.get("id")
    seen = seen_version if seen_version is not None else obj.__dict__.get("version")
    try:
        db.session.flush()
    except StaleDataError:
        raise history.StaleEdit(object_type, object_id, seen, "a newer one") from None


def meeting_changed(meeting, before, actor, now, verb, *, reason=None, notify=True,
                    collect=None):
    """Record a change of `meeting` (before = snapshot, or None for a creation): bump its
    version, write the history entry, queue the notices. Returns the number of notices queued.
    Does nothing when no recorded field changed. With `collect` (a list), the notice is not
    queued but (meeting, kind) is appended, for one mail about many meetings (series change);
    with notify=False only the calendar SEQUENCE follows."""
    from wg.meetings.services import notices

    after = history.snapshot(meeting, MEETING_FIELDS)
    changes = history.created(after) if before is None else history.diff(before, after)
    if not changes:
        return 0
    if before is not None:
        meeting.version = (meeting.version or 1) + 1
    meeting.updated_at = now
    if before is not None:
        # Write now (UPDATE ... WHERE version = seen), before anything below queries.
        flush("meeting", meeting, meeting.version - 1)
    history.record(actor, "meeting", meeting.id, verb, changes, now=now,
                   label=meeting_label(meeting), reason=reason, group_id=meeting.group_id,
                   version=meeting.version or 1)
    event = webhooks.meeting_event(verb)
    if event:
        webhooks.emit(event, dict(webhooks.meeting_data(meeting), change=verb,
                                  changes=changes, reason=reason), meeting.group_id, now,
                      item=meeting)
    if collect is not None or not notify:
        kind = notices.calendar_change(meeting, before)
        if collect is not None:
            collect.append((meeting, kind))
        return 0
    return notices.meeting_changed(meeting, before, actor, now)


def series_changed(series, before, actor, now, verb):
    after = history.snapshot(series, SERIES_FIELDS)
    changes = history.created(after) if before is None else history.diff(before, after)
    if not changes:
        return
    if before is not None:
        series.version = (series.version or 1) + 1
        flush("series", series, series.version - 1)
    history.record(actor, "series", series.id, verb, changes, now=now,
                   label=f"{series.group.code}: {series.title}", group_id=series.group_id,
                   version=series.version or 1)


def child_changed(object_type, obj, fields, before, actor, now, verb, meeting):
    """An agenda item or decision, filed under its meeting's History."""
    if verb == "deleted":
        changes = history.deleted(before)
    else:
        after = history.snapshot(obj, fields)
        changes = history.created(after) if before is None else history.diff(before, after)
        if not changes:
            return
        if before is not None:
            obj.version = (obj.version or 1) + 1
    history.record(actor, object_type, obj.id, verb, changes, now=now,
                   label=getattr(obj, "title", None) or (getattr(obj, "text", "") or "")[:120],
                   parent=("meeting", meeting.id), group_id=meeting.group_id,
                   version=None if verb == "deleted" else (obj.version or 1))
