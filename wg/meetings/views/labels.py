"""A meeting's sensitivity labels (TLP 2.0): the meeting's and its minutes'."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wg import permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.meetings import bp
from wg.meetings import services as meetings
from wg.meetings.forms import LabelsForm
from wg.meetings.views.common import _invalid, _stale


@bp.route("/meetings/<int:meeting_id>/sensitivity", methods=["GET", "POST"])
def labels(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = LabelsForm()
    if request.method == "GET":
        form.sensitivity.data = meeting.sensitivity.value
        form.minutes_sensitivity.data = meeting.minutes_sensitivity.value
        form.version.data = meeting.version
    status, stale = 200, None
    if form.validate_on_submit():
        try:
            meetings.set_meeting_labels(meeting, current_user, form.sensitivity.data,
                                        form.minutes_sensitivity.data, utcnow(),
                                        expected_version=form.version.data)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        except StaleEdit as exc:
            stale, status = _stale(exc, form, meeting), 409
        else:
            db.session.commit()
            flash(_("Labels saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("meetings/labels.html", meeting=meeting, group=meeting.group,
                           form=form, stale=stale), status
