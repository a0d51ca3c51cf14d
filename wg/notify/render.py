"""Mail in the recipient's language: one mechanism (Flask-Babel) for subjects, bodies and .ics.

Every mail is rendered inside `wg.i18n.language(person.language)` (None: English), with dates and
times from wg.formatting in the recipient's language and time zone.
"""

from flask import render_template
from flask_babel import gettext as _
from flask_babel import pgettext

from wg.formatting import format_date, meeting_when, to_zone


def series_label(kind):
    """What happened to a meeting in a series change, as its line in the mail starts."""
    if kind == "meeting-new":
        return pgettext("series change", "New")
    if kind == "meeting-cancelled":
        return pgettext("series change", "Cancelled")
    if kind == "meeting-restored":
        return pgettext("series change", "Back on")
    return pgettext("series change", "Moved")


def cancel_reason(meeting):
    """Why a meeting is cancelled, as the reader should see it: the reason the system wrote
    when a series' rule dropped the date is translated; a chair's own words are shown as written."""
    from wg.meetings.services.series import SERIES_MOVED_REASON

    if meeting.cancel_reason == SERIES_MOVED_REASON:
        return _("The series' schedule changed; this date is no longer part of it.")
    return meeting.cancel_reason


def meeting_day(meeting, person, style="short"):
    """The meeting's day in the person's zone: '12 May' (style 'short'), '12 May 2026' ('date')."""
    return format_date(to_zone(meeting.start_at, person.timezone), style)


def when_text(meeting, person):
    """'Tue, 10 Mar 2026, 14:00–15:30 (your time) · 08:00–09:30 in Vienna (UTC+01:00)': the
    anchor zone's part only when its clock differs from the reader's (as on the meeting page)."""
    when = meeting_when(meeting.start_at, meeting.duration_minutes, person.timezone,
                        meeting.timezone)
    text = _("%(when)s (your time)", when=when["yours"])
    if when["anchor"]:
        text += " \u00b7 " + _("%(when)s in %(city)s (%(offset)s)", when=when["anchor"],
                                city=when["city"], offset=when["offset"])
    return text


def render(name, html=True, **context):
    """The text body and (when `html`) the HTML body of notify/email/<name>, in the current locale."""
    context.setdefault("cancel_reason", cancel_reason)
    text = render_template(f"notify/email/{name}.txt", **context)
    return text, (render_template(f"notify/email/{name}.html", **context) if html else None)


def label_of(item, attribute="sensitivity"):
    from wg.sensitivity import DEFAULT, Sensitivity

    return Sensitivity.parse(getattr(item, attribute, None)) or DEFAULT


def guarded(item, url, subject, text, html, attachments, attribute="sensitivity"):
    """The mail about `item` as it may leave (permissions.may_leave_by 'email'), in the current
    locale: for a RED item a generic notice with the link only (no title, no content, no .ics);
    otherwise the label before the subject and as the first line (GREEN, the default, in the
    body only). Returns (subject, text, html, attachments)."""
    from wg.permissions import may_leave_by
    from wg.sensitivity import DEFAULT

    label = label_of(item, attribute)
    if not may_leave_by("email", item, attribute):
        text, body = render("red_notice", url=url, tlp=label)
        return _("A RED item changed; sign in to see it"), text, body, []
    if label is not DEFAULT:
        subject = f"[{label.tlp}] {subject}"
    return subject, f"{label.tlp}\n\n{text}", html, attachments


def render_labelled(name, item, html=True, attribute="sensitivity", **context):
    """render() with the item's label at the top of the HTML body."""
    return render(name, html=html, tlp=label_of(item, attribute), **context)
