"""Minutes (Markdown) and decisions."""

import re

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from wg import formatting
from wg import markdown as wg_markdown
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.meetings.models import (
    Decision,
    Meeting,
)
from wg.meetings.services import record
from wg.webhooks import services as webhooks

_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")


def render_markdown(text):
    """Markdown to HTML, sanitized (bounded and linear: see wg.markdown)."""
    return wg_markdown.render(text)


def minutes_skeleton(items, people=None, participants=None):
    """Markdown to start the minutes from: a heading per agenda item in order (with its
    presenter and time), "Decisions" and "Actions" stubs under each, and who attended when
    the attendance is recorded (`people`/`participants`: counts, or None)."""
    lines = []
    if people is not None:
        lines += [_("Present: %(people)s, representing %(participants)s.",
                    people=ngettext("%(num)d person", "%(num)d people", people),
                    participants=ngettext("%(num)d country or organization",
                                          "%(num)d countries and organizations",
                                          participants or 0)), ""]
    for number, item in enumerate(items, start=1):
        lines.append(f"## {number}. {_one_line(item.title)}")
        about = []
        if item.presenter:
            about.append(_("Presenter: %(name)s", name=_one_line(item.presenter)))
        if item.minutes_allotted:
            about.append(ngettext("%(num)d minute", "%(num)d minutes", item.minutes_allotted))
        if about:
            lines += ["", "*" + " · ".join(about) + "*"]
        lines += ["", _("**Decisions:**"), "", "- ", "", _("**Actions:**"), "", "- ", ""]
    return "\n".join(lines).rstrip() + "\n" if lines else ""


def _one_line(text):
    return " ".join((text or "").split())


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
    """Publish the minutes to the group; refused before the meeting has ended (minutes of a
    meeting that has not taken place would be fiction). Drafts can be saved at any time."""
    if now < meeting.end_at:
        zone = getattr(actor, "timezone", None) or "UTC"
        raise ValidationError({"minutes": _(
            "Minutes can be published once the meeting has ended, at %(when)s. Save them as a "
            "draft until then.", when=formatting.format_datetime(meeting.end_at, zone))})
    if not (meeting.minutes_md or "").strip():
        raise ValidationError({"minutes": _("Write the minutes before publishing them.")})
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.minutes_published_at = now
    record.meeting_changed(meeting, before, actor, now, "minutes_published")
    record.flush("meeting", meeting)


def add_decision(meeting, actor, text, now):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"decision": _("Write the decision.")})
    if len(text) > 2000:
        raise ValidationError({"decision": _("Keep a decision under 2,000 characters.")})
    if _TAG_RE.search(text):
        raise ValidationError({"decision": _("Plain text only; HTML tags are not allowed.")})
    last = db.session.scalar(select(func.max(Decision.position)).where(
        Decision.meeting_id == meeting.id))
    decision = Decision(meeting_id=meeting.id, position=(last or 0) + 1, text=text,
                        created_at=now, version=1)
    db.session.add(decision)
    db.session.flush()
    record.child_changed("decision", decision, record.DECISION_FIELDS, None, actor, now,
                         "created", meeting)
    webhooks.emit("decision.recorded", {
        "id": decision.id, "meeting_id": meeting.id, "position": decision.position,
        "text": decision.text, "created_at": now}, meeting.group_id, now)
    db.session.flush()
    db.session.expire(meeting, ["decisions"])
    return decision


def delete_decision(decision, actor, now, expected_version=None):
    """Remove a decision; its history keeps a 'deleted' entry with its text."""
    record.check("decision", decision, expected_version)
    meeting = db.session.get(Meeting, decision.meeting_id)
    record.child_changed("decision", decision, record.DECISION_FIELDS,
                         history.snapshot(decision, record.DECISION_FIELDS), actor, now,
                         "deleted", meeting)
    db.session.delete(decision)
    record.flush("decision", decision, expected_version)
    db.session.expire(meeting, ["decisions"])
