"""What several meetings views share: error flashing, previews, feed links."""

from flask import (
    current_app,
    flash,
    url_for,
)

from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import recurrence
from wg.meetings import services as meetings


def _guard(warnings):
    """The guard-rail warnings and the token that confirms them, for meetings/_guards.html."""
    from wg.meetings.services import guards

    return dict(warnings=warnings, token=guards.token(warnings)) if warnings else None


def _invalid(exc, form=None):
    db.session.rollback()
    rest = exc.apply_to(form) if form is not None else list(exc.errors.values())
    for message in rest:
        flash(message, "danger")


def _series_summary(group, form, now):
    """The next occurrence's meaning for members, or None while the form is incomplete."""
    data = form.to_input()
    try:
        dates = meetings.check_series(data, now)
    except ValidationError:
        return None
    upcoming = [d for d in dates if d >= now.date()] or dates
    start_at = recurrence.local_to_utc(upcoming[0], data.start_time, data.timezone)
    return dict(start_at=start_at, zone=data.timezone,
                summary=meetings.time_summary(group, start_at, data.duration_minutes),
                dates=upcoming[:6])


def _meeting_summary(group, form):
    data = form.to_input()
    try:
        start_at = meetings.check_meeting(data)
    except ValidationError:
        return None
    return dict(start_at=start_at, zone=data.timezone, dates=[],
                summary=meetings.time_summary(group, start_at, data.duration_minutes))

def _meeting_url(meeting):
    return current_app.config["BASE_URL"] + url_for("meetings.detail", meeting_id=meeting.id)


def _feed_url(person):
    return current_app.config["BASE_URL"] + url_for("meetings.feed", token=person.calendar_token)


def _reload(obj):
    """The object as it is now in the database (after a rollback)."""
    db.session.refresh(obj)
    return obj


def _stale(exc, form=None, obj=None):
    """After a StaleEdit: undo the attempt; the form keeps what was typed and now carries the
    current version, so saving again (after reading what changed) is a deliberate choice."""
    db.session.rollback()
    if form is not None and obj is not None:
        db.session.refresh(obj)
        form.version.data = obj.version
        form.version.raw_data = [str(obj.version)]
    return exc
