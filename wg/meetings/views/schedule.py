"""One meeting: extra, detail, edit, cancel, restore, RSVP."""

from datetime import timedelta

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from wg import formatting, permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.meetings import bp
from wg.meetings import services as meetings
from wg.meetings.forms import (
    CancelForm,
    MeetingForm,
)
from wg.meetings.models import Meeting, Rsvp, RsvpAnswer
from wg.meetings.services import guards
from wg.meetings.views.common import (
    _feed_url,
    _guard,
    _invalid,
    _meeting_summary,
    _reload,
    _stale,
)


@bp.route("/groups/<slug>/meetings/new", methods=["GET", "POST"])
def extra_new(slug):
    group = permissions.group_for_scheduling(current_user, slug)
    form = MeetingForm()
    now = utcnow()
    if request.method == "GET":
        from datetime import time

        form.title.data = _("Extra meeting")
        form.day.data = now.date() + timedelta(days=7)
        form.start_time.data = time(14, 0)
    status, guard, confirm = 200, None, request.form.get("confirm")
    if form.validate_on_submit() and (form.submit.data or confirm):
        data, meeting = form.to_input(), None
        try:
            warnings = guards.meeting_warnings(group, data, now, current_user.timezone)
            if guards.confirmed(warnings, confirm):
                meeting = meetings.add_extra_meeting(group, current_user, data, now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            guard = _guard(warnings)
        if meeting is not None:
            db.session.commit()
            flash(_("Extra meeting added."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    elif request.method == "POST":
        guard = _preview_warnings(group, form, now)
    return render_template("meetings/meeting_form.html", group=group, form=form, meeting=None,
                           preview=_meeting_summary(group, form), guard=guard), status


def _preview_warnings(group, form, now, meeting=None):
    """On 'preview', the warnings saving would show (field messages come with the summary)."""
    try:
        return _guard(guards.meeting_warnings(group, form.to_input(), now, current_user.timezone,
                                              meeting=meeting))
    except ValidationError:
        return None


@bp.route("/meetings/<int:meeting_id>")
def detail(meeting_id):
    # The meeting with its group and series in one statement: the permission check below then
    # finds it in the session (`loaded` keeps it there: the session holds objects weakly).
    _loaded = db.session.scalars(select(Meeting).options(
        joinedload(Meeting.group), joinedload(Meeting.series)).where(Meeting.id == meeting_id)).first()
    meeting = permissions.meeting_for_view(current_user, meeting_id)
    return _detail_page(meeting)


def rsvp_summary(meeting, person):
    """(the person's answer or None, {answer: count}) in one statement: the answers grouped,
    each group saying whether the person's answer is in it."""
    rows = db.session.execute(
        select(Rsvp.answer, func.count(), func.max(case((Rsvp.person_id == person.id, 1), else_=0)))
        .where(Rsvp.meeting_id == meeting.id).group_by(Rsvp.answer)).all()
    counts = {a: 0 for a in RsvpAnswer}
    mine = None
    for answer, count, is_mine in rows:
        counts[answer] = count
        if is_mine:
            mine = answer
    return mine, counts


def _detail_page(meeting, stale=None, status=200):
    now = utcnow()
    attendance = None
    if meeting.attendance_recorded_at:
        people, participants = meetings.attendees(meeting)
        attendance = dict(people=people, participants=formatting.sorted_by_name(participants))
    my_rsvp, counts = rsvp_summary(meeting, current_user)
    return render_template(
        "meetings/detail.html", meeting=meeting, group=meeting.group, now=now,
        my_rsvp=my_rsvp, counts=counts, answers=list(RsvpAnswer),
        rsvp_people=meetings.rsvp_people(meeting)
        if permissions.can_edit_meeting(current_user, meeting) else None,
        attendance=attendance, actions=meetings.actions_from_meeting(meeting),
        feed_url=_feed_url(current_user), stale=stale,
    ), status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = MeetingForm()
    now = utcnow()
    if request.method == "GET":
        form.fill(meetings.meeting_input(meeting))
        form.version.data = meeting.version
    status, stale, guard, confirm = 200, None, None, request.form.get("confirm")
    if form.validate_on_submit() and (form.submit.data or confirm):
        data, saved = form.to_input(), False
        try:
            warnings = guards.meeting_warnings(meeting.group, data, now, current_user.timezone,
                                               meeting=meeting)
            if guards.confirmed(warnings, confirm):
                meetings.reschedule_meeting(meeting, current_user, data, now,
                                            expected_version=form.version.data)
                saved = True
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        except StaleEdit as exc:
            stale, status = _stale(exc, form, meeting), 409
        else:
            guard = _guard(warnings)
        if saved:
            db.session.commit()
            flash(_("Meeting saved. Series changes will no longer move it."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST" and not form.preview.data:
        status = 422
    elif request.method == "POST":
        guard = _preview_warnings(meeting.group, form, now, meeting)
    return render_template("meetings/meeting_form.html", group=meeting.group, form=form,
                           meeting=meeting, stale=stale, guard=guard,
                           preview=_meeting_summary(meeting.group, form)), status


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = CancelForm()
    if request.method == "GET":
        form.version.data = meeting.version
    status, stale = 200, None
    if form.validate_on_submit():
        try:
            now = utcnow()
            meetings.cancel_meeting(meeting, current_user, form.reason.data, now,
                                    expected_version=form.version.data)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        except StaleEdit as exc:
            stale, status = _stale(exc, form, meeting), 409
        else:
            db.session.commit()
            flash(_("Meeting cancelled. Members are e-mailed and their calendars see the reason."),
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/cancel.html", meeting=meeting, group=meeting.group,
                           form=form, stale=stale), status


@bp.route("/meetings/<int:meeting_id>/restore", methods=["POST"])
def restore(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    try:
        meetings.restore_meeting(meeting, current_user, utcnow(),
                                 expected_version=request.form.get("version"))
    except ValidationError as exc:
        _invalid(exc)
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    except StaleEdit as exc:
        return _detail_page(_reload(meeting), stale=_stale(exc), status=409)
    db.session.commit()
    flash(_("Meeting restored. Members are e-mailed."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/rsvp", methods=["POST"])
def rsvp(meeting_id):
    meeting = permissions.meeting_for_rsvp(current_user, meeting_id)
    try:
        meetings.set_rsvp(meeting, current_user, request.form.get("answer"), utcnow())
    except ValidationError as exc:
        _invalid(exc)
    else:
        db.session.commit()
        flash(_("Your answer is saved."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))
