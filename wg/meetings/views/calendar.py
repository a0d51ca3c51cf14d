"""Calendar files, the personal feed and its settings."""

import hashlib
from collections import OrderedDict

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from wg import i18n, permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import bp, ical
from wg.meetings import services as meetings
from wg.meetings.forms import (
    AlarmForm,
)
from wg.meetings.views.common import _feed_url, _invalid, _meeting_url


def _ics(body, filename):
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/meetings/<int:meeting_id>.ics")
def ics(meeting_id):
    meeting = permissions.meeting_for_view(current_user, meeting_id)
    body = ical.build_calendar(
        [meeting], name=_("%(group)s meeting", group=meeting.group.code), url_for_meeting=_meeting_url,
        alarm_minutes=meetings.alarm_minutes(current_user), now=utcnow())
    return _ics(body, f"{meeting.group.slug}-{meeting.start_at:%Y-%m-%d}.ics")


# Serialized feeds by (person, ETag): building a year of events with icalendar costs tens of
# milliseconds, and calendar programs poll often. Per process, bounded; the ETag changes with
# every change to the feed, so an entry is never stale. A feed is ~15 KB at scale 10 (up to
# ~40 KB): at most 256 feeds and 4 MB in all per worker.
_FEED_CACHE = OrderedDict()
_FEED_CACHE_SIZE = 256
_FEED_CACHE_BYTES = 4_000_000
_feed_bytes = 0


def _cached_feed(key, build):
    global _feed_bytes
    body = _FEED_CACHE.get(key)
    if body is None:
        body = build()
        if key not in _FEED_CACHE:
            _FEED_CACHE[key] = body
            _feed_bytes += len(body)
        while _FEED_CACHE and (len(_FEED_CACHE) > _FEED_CACHE_SIZE or _feed_bytes > _FEED_CACHE_BYTES):
            _feed_bytes -= len(_FEED_CACHE.popitem(last=False)[1])
    else:
        _FEED_CACHE.move_to_end(key)
    return body


@bp.route("/calendar/<token>.ics")
def feed(token):
    person = meetings.person_for_calendar_token(token)
    if person is None:
        abort(404)
    now = utcnow()
    # The feed speaks its owner's language (not the calendar program's): part of its ETag.
    language = person.language or i18n.DEFAULT_LANGUAGE
    etag = hashlib.sha256(f"{meetings.feed_fingerprint(person, now)}-{language}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    def build():
        with i18n.language(language):
            return ical.build_calendar(
                meetings.feed_meetings(person, now),
                name=_("Coalition meetings · %(name)s", name=person.name),
                url_for_meeting=_meeting_url, alarm_minutes=meetings.alarm_minutes(person), now=now)

    body = _cached_feed((person.id, token, etag), build)
    response = _ics(body, "coalition-meetings.ics")
    response.headers["Content-Disposition"] = 'inline; filename="coalition-meetings.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(etag)
    return response


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_settings():
    form = AlarmForm()
    if request.method == "GET":
        form.alarm_minutes.data = meetings.alarm_minutes(current_user)
    status = 200
    if form.validate_on_submit():
        try:
            meetings.set_alarm_minutes(current_user, form.alarm_minutes.data)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            db.session.commit()
            flash(_("Reminder saved; calendar programs pick it up at their next refresh."),
                  "success")
            return redirect(url_for("meetings.calendar_settings"))
    elif request.method == "POST":
        status = 422
    feed = _feed_url(current_user)
    return render_template("meetings/calendar_settings.html", form=form, feed_url=feed,
                           webcal_url="webcal://" + feed.split("://", 1)[1]), status


@bp.route("/calendar/reset", methods=["POST"])
def reset_token():
    # CSRFProtect checks the token; only the owner can reset their own feed address.
    meetings.reset_calendar_token(current_user)
    db.session.commit()
    flash(_("Your calendar address is new; the old one no longer works. Subscribe again with "
            "the new one."), "success")
    return redirect(request.form.get("next") == "profile" and url_for("auth.profile")
                    or url_for("meetings.calendar_settings"))
