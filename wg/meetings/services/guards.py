"""Guard rails for chairs: what deserves a second look before a schedule or agenda is saved.

These are warnings, not errors: a past start, a slot that overlaps another meeting of the same
group, an agenda longer than its meeting. The page shows them with a "Save anyway" button that
carries `token(warnings)`; a save goes through only when the token it carries matches the
warnings as they are now, so a confirmation given for one problem never waves through another.
Every function here reads and never writes.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from wg import formatting
from wg.extensions import db
from wg.meetings import recurrence
from wg.meetings.models import AgendaItem, Meeting, MeetingStatus
from wg.meetings.services.agenda import check_agenda
from wg.meetings.services.inputs import (
    MAX_DURATION,
    all_past_error,
    check_meeting,
    check_series,
)

# At most this many clashing meetings are named; the message gives the total.
SHOWN_CLASHES = 5


@dataclass(frozen=True)
class GuardWarning:
    """One reason to confirm: `code` names the rule, `key` what exactly triggered it (so a new
    problem gets a new token), `message` says it in the reader's language."""

    code: str
    key: str
    message: str
    meetings: tuple = field(default=())  # clashing meetings, for links
    more: int = 0  # clashing meetings not listed


def token(warnings):
    """A short fingerprint of the warnings; '' when there are none."""
    if not warnings:
        return ""
    text = "|".join(sorted(f"{w.code}:{w.key}" for w in warnings))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def confirmed(warnings, given):
    """True when there is nothing to confirm, or `given` confirms exactly these warnings."""
    return not warnings or (given or "") == token(warnings)


def _overlaps(start_a, end_a, start_b, end_b):
    # Half-open slots: a meeting ending at 15:00 and one starting at 15:00 do not clash.
    return start_a < end_b and start_b < end_a


def clashes(group_id, slots, exclude_meeting_id=None, exclude_series_id=None):
    """The group's meetings (not cancelled) that overlap any of the (start, end) slots."""
    if not slots:
        return []
    first = min(s for s, _ in slots) - timedelta(minutes=MAX_DURATION)
    last = max(e for _, e in slots)
    query = select(Meeting).where(
        Meeting.group_id == group_id, Meeting.status != MeetingStatus.cancelled,
        Meeting.start_at > first, Meeting.start_at < last).order_by(Meeting.start_at)
    if exclude_meeting_id is not None:
        query = query.where(Meeting.id != exclude_meeting_id)
    if exclude_series_id is not None:
        query = query.where((Meeting.series_id.is_(None))
                            | (Meeting.series_id != exclude_series_id))
    found = []
    for other in db.session.scalars(query):
        if any(_overlaps(start, end, other.start_at, other.end_at) for start, end in slots):
            found.append(other)
    return found


def _clash_warning(found):
    if not found:
        return []
    message = ngettext(
        "This time overlaps %(num)d other meeting of the group:",
        "This time overlaps %(num)d other meetings of the group:", len(found))
    return [GuardWarning("clash", ",".join(str(m.id) for m in found), message,
                         tuple(found[:SHOWN_CLASHES]), max(0, len(found) - SHOWN_CLASHES))]


def series_warnings(group, data, now, zone, series=None):
    """What to confirm before saving a series (raises ValidationError on bad input, like
    check_series): for a new series, dates before now (they are not created, see
    create_series); for any series, its future meetings that overlap the group's other
    meetings."""
    dates = check_series(data, now)
    warnings = []
    starts = [(day, recurrence.local_to_utc(day, data.start_time, data.timezone))
              for day in dates]
    future = [(day, start) for day, start in starts if start > now]
    past = len(starts) - len(future)
    if series is None and not future:
        raise all_past_error()
    if series is None and past:
        first_start = starts[0][1]
        message = ngettext(
            "The first date is in the past: %(num)d meeting of this series, from %(first)s, "
            "would fall before now. It will not be created; the series starts with the "
            "meeting on %(next)s.",
            "The first date is in the past: %(num)d meetings of this series, from %(first)s, "
            "would fall before now. They will not be created; the series starts with the "
            "meeting on %(next)s.", past,
            first=formatting.format_date(first_start.astimezone(recurrence.zone(data.timezone))),
            next=formatting.format_datetime(future[0][1], zone))
        warnings.append(GuardWarning("past_start", f"{data.first_date}:{past}", message))
    slots = [(start, start + timedelta(minutes=data.duration_minutes)) for _, start in future]
    warnings += _clash_warning(clashes(group.id, slots,
                                       exclude_series_id=series.id if series else None))
    return warnings


def meeting_warnings(group, data, now, zone, meeting=None):
    """What to confirm before saving one meeting (raises ValidationError on bad input): a start
    in the past (when it is new or moved), an overlap with the group's other meetings."""
    start_at = check_meeting(data)
    warnings = []
    moved = meeting is None or meeting.start_at != start_at
    if moved and start_at <= now:
        warnings.append(GuardWarning("past_start", start_at.isoformat(), _(
            "The start, %(when)s, is in the past.", when=formatting.format_datetime(start_at, zone))))
    end_at = start_at + timedelta(minutes=data.duration_minutes)
    warnings += _clash_warning(clashes(group.id, [(start_at, end_at)],
                                       exclude_meeting_id=meeting.id if meeting else None))
    return warnings


def agenda_total(meeting, minutes=None, item=None):
    """The agenda's minutes with `item` (new when None) allotted `minutes`."""
    rows = db.session.execute(select(AgendaItem.id, AgendaItem.minutes_allotted).where(
        AgendaItem.meeting_id == meeting.id)).all()
    total = sum(m or 0 for i, m in rows if item is None or i != item.id)
    return total + (minutes or 0)


def agenda_warnings(meeting, data, item=None):
    """What to confirm before adding (`item` None) or changing an agenda item (raises
    ValidationError on bad input): the items' minutes adding up to more than the meeting."""
    check_agenda(data)
    total = agenda_total(meeting, data.minutes_allotted, item)
    slot = meeting.duration_minutes
    if total <= slot:
        return []
    return [GuardWarning("agenda_over", f"{total}:{slot}", _(
        "The agenda adds up to %(total)d minutes, %(over)d more than the %(slot)d-minute "
        "meeting.", total=total, over=total - slot, slot=slot))]
