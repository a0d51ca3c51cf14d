"""Minutes (Markdown) and decisions."""

import re
import threading

import markdown
import nh3
from sqlalchemy import func, select

from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.meetings.models import (
    Decision,
    Meeting,
)
from wg.meetings.services import record

_CODE_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")
NH3_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4",
            "h5", "h6", "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th",
            "td", "del"}


_local = threading.local()


def _markdown():
    """One Markdown converter per thread (building one costs more than converting a page)."""
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown(
            extensions=["tables", "sane_lists", "fenced_code"])
    return converter


def render_markdown(text):
    """Markdown to HTML, sanitized with nh3 (no scripts, styles, event handlers or raw HTML)."""
    html = _markdown().reset().convert(text or "")
    return nh3.clean(html, tags=NH3_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def check_minutes(text):
    if len(text or "") > 100_000:
        raise ValidationError({"minutes": "The minutes are too long (100,000 characters at most)."})
    if _TAG_RE.search(_CODE_RE.sub("", text or "")):
        raise ValidationError({"minutes": (
            "Minutes are written in Markdown; HTML tags (such as <script>) are not allowed. "
            "Remove them, or put them between `backticks` to show them as text.")})


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
        raise ValidationError({"minutes": "Write the minutes before publishing them."})
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.minutes_published_at = now
    record.meeting_changed(meeting, before, actor, now, "minutes_published")
    record.flush("meeting", meeting)


def add_decision(meeting, actor, text, now):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"decision": "Write the decision."})
    if len(text) > 2000:
        raise ValidationError({"decision": "Keep a decision under 2,000 characters."})
    if _TAG_RE.search(text):
        raise ValidationError({"decision": "Plain text only; HTML tags are not allowed."})
    last = db.session.scalar(select(func.max(Decision.position)).where(
        Decision.meeting_id == meeting.id))
    decision = Decision(meeting_id=meeting.id, position=(last or 0) + 1, text=text,
                        created_at=now, version=1)
    db.session.add(decision)
    db.session.flush()
    record.child_changed("decision", decision, record.DECISION_FIELDS, None, actor, now,
                         "created", meeting)
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
