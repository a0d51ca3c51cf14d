"""Minutes (Markdown) and decisions."""

from flask_babel import gettext as _

from wg import markdown as wg_markdown
from wg.errors import ValidationError
from wg.history import services as history
from wg.meetings.services import record


def render_markdown(text):
    """Markdown to HTML, sanitized (bounded and linear: see wg.markdown)."""
    return wg_markdown.render(text)


def check_minutes(text):
    wg_markdown.check(text, "minutes")


def save_minutes(meeting, actor, text, now, expected_version=None):
    """Store the minutes (Markdown) and their sanitized HTML; publishing is separate.

    Refused (history.StaleEdit) when someone saved the meeting since the form was opened.
    """
    record.check("meeting", meeting, expected_version)
    check_minutes(text)
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.minutes_md = text or ""
    meeting.minutes_html = render_markdown(text)
    record.meeting_changed(meeting, before, actor, now, "minutes_edited")
    record.flush("meeting", meeting, expected_version)


def publish_minutes(meeting, actor, now):
    if not (meeting.minutes_md or "").strip():
        raise ValidationError({"minutes": _("Write the minutes before publishing them.")})
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.minutes_published_at = now
    record.meeting_changed(meeting, before, actor, now, "minutes_published")
    record.flush("meeting", meeting)


def add_decision(meeting, actor, text, now):
    """Record a decision taken at the meeting: it enters the register (wg.decisions) with the
    next number of its group and year, dated the meeting's day."""
    from wg.decisions import services as decisions

    try:
        return decisions.record_decision(meeting.group, actor,
                                         decisions.DecisionInput(text=text), now, meeting=meeting)
    except ValidationError as exc:
        # The minutes form and the API call the field "decision".
        raise ValidationError({("decision" if k == "text" else k): v
                               for k, v in exc.errors.items()}) from None


def delete_decision(decision, actor, now, expected_version=None):
    """Remove a decision; its history keeps a 'deleted' entry with its text."""
    from wg.decisions import services as decisions

    decisions.delete_decision(decision, actor, now, expected_version)
