"""Series pages: new, detail, edit."""

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import ngettext
from flask_login import current_user

from wg import permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.meetings import bp
from wg.meetings import services as meetings
from wg.meetings.forms import (
    SeriesForm,
)
from wg.meetings.services import guards
from wg.meetings.views.common import _guard, _invalid, _series_summary, _stale


@bp.route("/groups/<slug>/series/new", methods=["GET", "POST"])
def series_new(slug):
    group = permissions.group_for_scheduling(current_user, slug)
    form = SeriesForm()
    now = utcnow()
    if request.method == "GET":
        form.first_date.data = now.date()
        form.timezone.data = "Europe/Vienna"
        from datetime import time

        form.start_time.data = time(14, 0)
    status, guard, confirm = 200, None, request.form.get("confirm")
    if form.validate_on_submit() and (form.submit.data or confirm):
        data, series = form.to_input(), None
        try:
            warnings = guards.series_warnings(group, data, now, current_user.timezone)
            if guards.confirmed(warnings, confirm):
                series = meetings.create_series(group, current_user, data, now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            guard = _guard(warnings)
        if series is not None:
            db.session.commit()
            count = db.session.scalar(db.select(db.func.count()).where(
                meetings.Meeting.series_id == series.id))
            flash(ngettext("Series created with %(num)d meeting.", "Series created with %(num)d meetings.", count),
                  "success")
            return redirect(url_for("meetings.series_detail", series_id=series.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    elif request.method == "POST":
        guard = _validate_quietly(group, form, now)
    return render_template("meetings/series_form.html", group=group, form=form, series=None,
                           preview=_series_summary(group, form, now), guard=guard), status


def _validate_quietly(group, form, now, series=None):
    """On 'preview', show field messages and warnings without saving."""
    try:
        return _guard(guards.series_warnings(group, form.to_input(), now,
                                             current_user.timezone, series=series))
    except ValidationError as exc:
        exc.apply_to(form)
    return None


@bp.route("/series/<int:series_id>")
def series_detail(series_id):
    series = permissions.series_for_view(current_user, series_id)
    now = utcnow()
    upcoming = db.session.scalars(db.select(meetings.Meeting).where(
        meetings.Meeting.series_id == series.id, meetings.Meeting.start_at > now)
        .order_by(meetings.Meeting.start_at).limit(12)).all()
    return render_template("meetings/series_detail.html", series=series, group=series.group,
                           upcoming=upcoming, fairness=meetings.series_fairness(series, now),
                           rule=meetings.describe_series(series), now=now)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def series_edit(series_id):
    series = permissions.series_for_edit(current_user, series_id)
    group = series.group
    form = SeriesForm(obj=None)
    now = utcnow()
    if request.method == "GET":
        form.fill(meetings.series_input(series))
        form.version.data = series.version
    status, stale, guard, confirm = 200, None, None, request.form.get("confirm")
    if form.validate_on_submit() and (form.submit.data or confirm):
        data, change = form.to_input(), None
        try:
            warnings = guards.series_warnings(group, data, now, current_user.timezone,
                                              series=series)
            if guards.confirmed(warnings, confirm):
                change = meetings.update_series(series, current_user, data, now,
                                                expected_version=form.version.data)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        except StaleEdit as exc:
            stale, status = _stale(exc, form, series), 409
        else:
            guard = _guard(warnings)
        if change is not None:
            db.session.commit()
            flash(change.message(), "success")
            return redirect(url_for("meetings.series_detail", series_id=series.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    elif request.method == "POST":
        guard = _validate_quietly(group, form, now, series)
    return render_template("meetings/series_form.html", group=group, form=form, series=series,
                           preview=_series_summary(group, form, now), stale=stale,
                           guard=guard), status
