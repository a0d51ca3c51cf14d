"""Agenda pages: items, moves, publishing, carry-over."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
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
    AgendaItemForm,
)
from wg.meetings.models import AgendaItem
from wg.meetings.services import guards
from wg.meetings.views.common import _guard, _invalid, _reload, _stale


def _agenda_input(form):
    return meetings.AgendaInput(title=form.title.data or "", presenter=form.presenter.data or "",
                                minutes_allotted=form.minutes_allotted.data,
                                link=(form.link.data or "").strip(), notes=form.notes.data or "")


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
def agenda(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    form = AgendaItemForm()
    now = utcnow()
    status, guard, confirm = 200, None, request.form.get("confirm")
    if form.validate_on_submit():
        data, item = _agenda_input(form), None
        try:
            warnings = guards.agenda_warnings(meeting, data)
            if guards.confirmed(warnings, confirm):
                item = meetings.add_agenda_item(meeting, current_user, data, now)
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        else:
            guard = _guard(warnings)
        if item is not None:
            db.session.commit()
            flash(_("Item added."), "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return _agenda_page(meeting, form, status=status, guard=guard)


def _agenda_page(meeting, form=None, stale=None, status=200, guard=None):
    now = utcnow()
    return render_template("meetings/agenda.html", meeting=meeting, group=meeting.group,
                           form=form or AgendaItemForm(formdata=None),
                           backlog=meetings.backlog(meeting, now), now=now,
                           stale=stale, guard=guard,
                           agenda_total=guards.agenda_total(meeting)), status


def _item(meeting, item_id):
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _stale_agenda(meeting, exc):
    """A button pressed on an old page: 409, the agenda as it is now and what changed."""
    _stale(exc)
    return _agenda_page(_reload(meeting), stale=exc, status=409)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
def agenda_edit(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    item = _item(meeting, item_id)
    form = AgendaItemForm()
    if request.method == "GET":
        form.title.data, form.presenter.data = item.title, item.presenter
        form.minutes_allotted.data, form.link.data = item.minutes_allotted, item.link
        form.notes.data, form.version.data = item.notes, item.version
    status, stale, guard, confirm = 200, None, None, request.form.get("confirm")
    if form.validate_on_submit():
        data, saved = _agenda_input(form), False
        try:
            warnings = guards.agenda_warnings(meeting, data, item)
            if guards.confirmed(warnings, confirm):
                meetings.update_agenda_item(item, current_user, data, utcnow(),
                                            expected_version=form.version.data)
                saved = True
        except ValidationError as exc:
            _invalid(exc, form)
            status = 422
        except StaleEdit as exc:
            stale, status = _stale(exc, form, item), 409
        else:
            guard = _guard(warnings)
        if saved:
            db.session.commit()
            flash(_("Item saved."), "success")
            return redirect(url_for("meetings.agenda", meeting_id=meeting.id) + f"#item-{item.id}")
    elif request.method == "POST":
        status = 422
    return render_template("meetings/agenda_item_form.html", meeting=meeting, group=meeting.group,
                           item=item, form=form, stale=stale, guard=guard), status


def _item_button(meeting, call, anchor="", done_message=None):
    """Run one agenda-item button's service call: 409 page when stale, flash when invalid,
    commit otherwise; back to the agenda."""
    try:
        call()
    except ValidationError as exc:
        _invalid(exc)
    except StaleEdit as exc:
        return _stale_agenda(meeting, exc)
    else:
        db.session.commit()
        if done_message:
            flash(done_message, "success")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id) + anchor)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
def agenda_move(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    item = _item(meeting, item_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    return _item_button(meeting, lambda: meetings.move_agenda_item(
        item, current_user, direction, utcnow(), expected_version=request.form.get("version")),
        f"#item-{item_id}")


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
def agenda_delete(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    item = _item(meeting, item_id)
    return _item_button(meeting, lambda: meetings.delete_agenda_item(
        item, current_user, utcnow(), expected_version=request.form.get("version")),
        done_message=_("Item removed (its History keeps what it said)."))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/done", methods=["POST"])
def agenda_done(meeting_id, item_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    item = _item(meeting, item_id)
    is_done = request.form.get("done") == "1"
    return _item_button(meeting, lambda: meetings.set_item_done(
        item, current_user, is_done, utcnow(), expected_version=request.form.get("version")),
        f"#item-{item_id}")


@bp.route("/meetings/<int:meeting_id>/agenda/publish", methods=["POST"])
def agenda_publish(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    now = utcnow()
    try:
        sent = meetings.publish_agenda(meeting, current_user, now,
                                       expected_version=request.form.get("version"))
    except ValidationError as exc:
        _invalid(exc)
    except StaleEdit as exc:
        return _stale_agenda(meeting, exc)
    else:
        db.session.commit()
        flash(ngettext("Agenda published to the group's members; %(num)d e-mail queued.",
                       "Agenda published to the group's members; %(num)d e-mails queued.", sent),
              "success")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/agenda/carry-over", methods=["POST"])
def carry_over(meeting_id):
    meeting = permissions.meeting_for_edit(current_user, meeting_id)
    ids = [int(i) for i in request.form.getlist("item") if i.isdigit() and len(i) < 10]
    action_ids = [int(i) for i in request.form.getlist("action") if i.isdigit() and len(i) < 10]
    added = meetings.carry_over(meeting, current_user, ids, utcnow(), action_ids=action_ids)
    db.session.commit()
    if added:
        flash(ngettext("%(num)d item carried over.", "%(num)d items carried over.", len(added)),
              "success")
    else:
        flash(_("Nothing new carried over: the chosen items are already on this agenda."), "info")
    return redirect(url_for("meetings.agenda", meeting_id=meeting.id))
