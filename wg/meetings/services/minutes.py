"""Minutes (Markdown) and decisions."""

from flask_babel import gettext as _
from flask_babel import ngettext

from wg import formatting
from wg import markdown as wg_markdown
from wg.errors import ValidationError
from wg.history import services as history
from wg.meetings.services import record


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


def add_decision(meeting, actor, text, now, sensitivity=None):
    """Record a decision taken at the meeting: it enters the register (wg.decisions) with the
    next number of its group and year, dated the meeting's day, labelled `sensitivity` (a TLP
    label; None: the default)."""
    from wg.decisions import services as decisions

    try:
        return decisions.record_decision(
            meeting.group, actor, decisions.DecisionInput(text=text, sensitivity=sensitivity),
            now, meeting=meeting)
    except ValidationError as exc:
        # The minutes form and the API call the field "decision".
        raise ValidationError({("decision" if k == "text" else k): v
                               for k, v in exc.errors.items()}) from None


def delete_decision(decision, actor, now, expected_version=None):
    """Remove a decision; its history keeps a 'deleted' entry with its text."""
    from wg.decisions import services as decisions

    decisions.delete_decision(decision, actor, now, expected_version)
