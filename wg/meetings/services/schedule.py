"""Single meetings: edit/reschedule, cancel, restore, extra meetings."""



from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import recurrence
from wg.meetings.models import (
    Meeting,
    MeetingStatus,
)
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
