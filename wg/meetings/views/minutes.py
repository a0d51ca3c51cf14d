"""Minutes, decisions and the printable record."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from wg import formatting, permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.meetings import bp
from wg.meetings import services as meetings
from wg.meetings.forms import (
    DecisionForm,
    MinutesForm,
)
from wg.meetings.models import Decision
from wg.meetings.views.common import _invalid, _stale


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
def minutes(meeting_id):
    meeting = permissions.minutes_for_edit(current_user, meeting_id)
    form = MinutesForm(prefix="m")
    decision_form = DecisionForm(prefix="d")
    now = utcnow()
    status, stale, previewing = 200, None, False
    if request.method == "GET":
        form.minutes.data = meeting.minutes_md or _skeleton(meeting)
        form.version.data = meeting.version
    if form.preview.data and form.validate_on_submit():
        # Show the text as members will read it; nothing is saved.
        try:
            meetings.check_minutes(form.minutes.data)
        except ValidationError as exc:
            exc.apply_to(form)
            status = 422
        else:
            previewing = True
    elif (form.submit.data or form.publish.data) and form.validate_on_submit():
        try:
            meetings.save_minutes(meeting, current_user, form.minutes.data, now,
                                  expected_version=form.version.data)
            if form.publish.data:
                meetings.publish_minutes(meeting, current_user, now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        except StaleEdit as exc:
            stale, status = _stale(exc, form, meeting), 409
        else:
            db.session.commit()
            flash(_("Minutes published.") if form.publish.data else _("Minutes saved."), "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    elif decision_form.submit.data and decision_form.validate_on_submit():
        try:
            meetings.add_decision(meeting, current_user, decision_form.decision.data, now)
        except ValidationError as exc:
            _invalid(exc, decision_form)
            status = 422
        else:
            db.session.commit()
            flash(_("Decision recorded."), "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    if not form.version.data:
        form.version.data = meeting.version
    return render_template("meetings/minutes.html", meeting=meeting, group=meeting.group,
                           form=form, decision_form=decision_form, stale=stale, now=now,
                           previewing=previewing, from_agenda=request.method == "GET"
                           and not meeting.minutes_md and bool(form.minutes.data),
                           preview_html=meetings.render_markdown(form.minutes.data or "")
                           if previewing else meeting.minutes_html), status


def _skeleton(meeting):
    """Empty minutes start from the agenda (and the attendance, once recorded)."""
    people = participants = None
    if meeting.attendance_recorded_at:
        present, represented = meetings.attendees(meeting)
        people, participants = len(present), len(represented)
    return meetings.minutes_skeleton(meeting.agenda_items, people, participants)


@bp.route("/meetings/<int:meeting_id>/decisions/<int:decision_id>/delete", methods=["POST"])
def decision_delete(meeting_id, decision_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.meeting_id != meeting.id:
        abort(404)
    try:
        meetings.delete_decision(decision, current_user, utcnow(),
                                 expected_version=request.form.get("version"))
    except StaleEdit as exc:
        _stale(exc)
        flash(exc.describe(), "warning")
        return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    db.session.commit()
    flash(_("Decision removed (its History keeps the text)."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/print")
def print_view(meeting_id):
    meeting = permissions.meeting_for_view(current_user, meeting_id)
    people, participants = meetings.attendees(meeting)
    participants = formatting.sorted_by_name(participants)
    return render_template("meetings/print.html", meeting=meeting, group=meeting.group,
                           people=people, participants=participants,
                           participant_names=[formatting.participant_name(p) for p in participants])
