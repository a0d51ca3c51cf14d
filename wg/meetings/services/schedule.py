"""Single meetings: edit/reschedule, cancel, restore, extra meetings."""

from flask_babel import gettext as _

from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.meetings import recurrence
from wg.meetings.models import (
    Meeting,
    MeetingStatus,
)
from wg.meetings.services import record
from wg.meetings.services.inputs import MeetingInput, check_meeting, new_uid


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


def reschedule_meeting(meeting, actor, data, now, expected_version=None):
    """Move or edit one meeting; it is then 'edited by hand' and series edits leave it alone.

    Refused (history.StaleEdit) when the form was made from an older version of the meeting.
    """
    record.check("meeting", meeting, expected_version)
    if meeting.status is MeetingStatus.cancelled:
        raise ValidationError(_("This meeting is cancelled; restore it before changing it."))
    start_at = check_meeting(data)
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    _apply_meeting(meeting, data, start_at)
    meeting.is_edited = True
    verb = "rescheduled" if before["start_at"] != history.json_value(start_at) else "updated"
    record.meeting_changed(meeting, before, actor, now, verb)
    record.flush("meeting", meeting, expected_version)
    return meeting


def cancel_meeting(meeting, actor, reason, now, expected_version=None):
    """Cancel one meeting with a reason that members see; calendars get METHOD:CANCEL."""
    record.check("meeting", meeting, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled; members will see it.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1,000 characters.")})
    if meeting.status is MeetingStatus.held:
        raise ValidationError({"reason": _("This meeting has been held; it cannot be cancelled.")})
    if meeting.status is MeetingStatus.cancelled:
        return meeting
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.status = MeetingStatus.cancelled
    meeting.cancel_reason = reason
    meeting.is_edited = True
    record.meeting_changed(meeting, before, actor, now, "cancelled", reason=reason)
    record.flush("meeting", meeting, expected_version)
    return meeting


def restore_meeting(meeting, actor, now, expected_version=None):
    """Undo a cancellation; members are told and calendars get the meeting back."""
    record.check("meeting", meeting, expected_version)
    if meeting.status is MeetingStatus.cancelled:
        before = history.snapshot(meeting, record.MEETING_FIELDS)
        meeting.status = MeetingStatus.scheduled
        meeting.cancel_reason = ""
        record.meeting_changed(meeting, before, actor, now, "restored")
        record.flush("meeting", meeting, expected_version)
    return meeting


def add_extra_meeting(group, actor, data, now):
    """An extra meeting outside any series; members are told."""
    start_at = check_meeting(data)
    meeting = Meeting(uid=new_uid(), group_id=group.id, is_extra=True, created_at=now,
                      updated_at=now, status=MeetingStatus.scheduled, sequence=0, version=1)
    _apply_meeting(meeting, data, start_at)
    db.session.add(meeting)
    db.session.flush()
    meeting.group = group
    record.meeting_changed(meeting, None, actor, now, "created")
    db.session.flush()
    return meeting


def display_status(meeting, now):
    """What a meeting's status means to a reader: 'scheduled', 'held', 'cancelled', or
    'awaiting' (its end has passed, attendance and minutes not yet recorded). A past meeting is
    not 'scheduled' any more, whatever the stored status says until the chair records it."""
    if meeting.status is MeetingStatus.cancelled:
        return "cancelled"
    if meeting.status is MeetingStatus.held:
        return "held"
    return "awaiting" if meeting.end_at <= now else "scheduled"
