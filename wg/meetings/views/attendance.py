"""Recording attendance."""

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from wg import formatting, permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.meetings import bp
from wg.meetings import services as meetings
from wg.meetings.views.common import _reload, _stale


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
def attendance(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    roster = meetings.roster(meeting.group)
    people, participants, from_rsvp = meetings.attendance_ticks(meeting, [p.id for p, _ in roster])
    status, stale = 200, None
    errors = []
    version = meeting.version
    if request.method == "POST":  # CSRFProtect has checked the token already
        person_ids = [i for i in request.form.getlist("person") if i.isdigit()]
        participant_ids = [i for i in request.form.getlist("participant") if i.isdigit()]
        try:
            n_people, n_parts = meetings.record_attendance(
                meeting, current_user, person_ids, participant_ids, utcnow(),
                expected_version=request.form.get("version"))
        except StaleEdit as exc:
            stale, status = _stale(exc), 409
            version = _reload(meeting).version
            people = {int(i) for i in person_ids}
            participants = {int(i) for i in participant_ids}
        except ValidationError as exc:
            db.session.rollback()
            errors = list(exc.errors.values())
            status = 422
            people = {int(i) for i in person_ids}
            participants = {int(i) for i in participant_ids}
        else:
            db.session.commit()
            flash(_("Attendance saved: %(people)s, %(participants)s.",
                    people=ngettext("%(num)d person", "%(num)d people", n_people),
                    participants=ngettext("%(num)d country or organization",
                                          "%(num)d countries and organizations", n_parts)),
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    grouped = {}
    for person, part in roster:
        grouped.setdefault(part, []).append(person)
    # Countries and organizations, and people within each, in the viewer's language's order.
    by_participant = {part: sorted(grouped[part], key=lambda p: formatting.sort_key(p.name))
                      for part in formatting.sorted_by_name(grouped)}
    represented = {part.id for part, persons in by_participant.items()
                   if part.id in participants or any(p.id in people for p in persons)}
    return render_template("meetings/attendance.html", meeting=meeting, group=meeting.group,
                           by_participant=by_participant, people=people,
                           participants=participants, from_rsvp=from_rsvp & people,
                           represented=represented,
                           ticked_people=sum(p.id in people for persons in by_participant.values()
                                             for p in persons), errors=errors, now=utcnow(), stale=stale,
                           version=version), status
