"""API writes on meetings: agenda items, publishing the agenda, attendance, minutes and
decisions, through the same services and permission loaders as the meeting pages (the group's
chairs). Every write names the object's ETag in If-Match; POSTs accept an Idempotency-Key."""

from flask import Response, abort, url_for

from wg import permissions
from wg.api import bp, schemas
from wg.api.idempotency import run_write
from wg.api.paging import etag, if_match_version, stale
from wg.api.views import _json, _meeting_detail, _participant_ids, _person, _require_write, _validation
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history.services import StaleEdit
from wg.meetings import services as meetings
from wg.meetings.models import AgendaItem


def _meeting_for_edit(meeting_id):
    _require_write()
    return permissions.meeting_for_edit(_person(), meeting_id)


def _item(meeting, item_id):
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _meeting_response(meeting, status=200):
    db.session.refresh(meeting)
    return _json(schemas.MeetingDetailSchema(), _meeting_detail(meeting, _person()), status,
                 {"ETag": etag("meeting", meeting)})


def _item_response(item, status=200, headers=None):
    db.session.refresh(item)
    return _json(schemas.AgendaItemSchema(), item, status,
                 {"ETag": etag("agenda_item", item), **(headers or {})})


def _versioned(object_type, obj, dump, call, respond):
    """Run `call(version, now)` on `obj` named by If-Match (428 without, 412 with the current
    state when stale, 422 on a service's validation error), then `respond()`; committed once
    (Idempotency-Key aware for POST)."""
    now = utcnow()
    model, obj_id = type(obj), obj.id

    def write():
        version = if_match_version(object_type, obj, dump)
        try:
            call(version, now)
        except StaleEdit:
            db.session.rollback()
            current = db.session.get(model, obj_id)
            if current is None:
                abort(404)
            stale(object_type, current, dump)
        except ValidationError as exc:
            _validation(exc)
        return respond()

    return run_write(_person(), now, write)


def _agenda_input(data):
    return meetings.AgendaInput(title=data["title"], presenter=data.get("presenter") or "",
                                minutes_allotted=data.get("minutes_allotted"),
                                link=data.get("link") or "", notes=data.get("notes") or "")


# --- agenda ---------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@bp.arguments(schemas.AgendaItemInSchema)
@bp.response(201, schemas.AgendaItemSchema)
def add_agenda_item(data, meeting_id):
    """Append an item to a meeting's agenda (its group's chairs). Send an Idempotency-Key to
    retry safely."""
    meeting = _meeting_for_edit(meeting_id)
    now = utcnow()

    def write():
        try:
            item = meetings.add_agenda_item(meeting, _person(), _agenda_input(data), now)
            if data.get("is_done"):
                meetings.set_item_done(item, _person(), True, now)
        except ValidationError as exc:
            _validation(exc)
        db.session.flush()
        return _item_response(item, 201, {"Location": url_for(
            "api.agenda_item", meeting_id=meeting.id, item_id=item.id)})

    return run_write(_person(), now, write)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>")
@bp.response(200, schemas.AgendaItemSchema)
def agenda_item(meeting_id, item_id):
    """One agenda item, with its ETag (drafts only for those who may see the agenda)."""
    meeting = permissions.meeting_for_view(_person(), meeting_id)
    if meeting.agenda_published_at is None and not permissions.can_see_meeting_drafts(
            _person(), meeting):
        abort(404)
    item = _item(meeting, item_id)
    return item, 200, {"ETag": etag("agenda_item", item)}


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>", methods=["PUT"])
@bp.arguments(schemas.AgendaItemInSchema)
@bp.response(200, schemas.AgendaItemSchema)
@bp.alt_response(412, description="The item changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def edit_agenda_item(data, meeting_id, item_id):
    """Replace an agenda item's details and done flag, with If-Match = the item's ETag."""
    meeting = _meeting_for_edit(meeting_id)
    item = _item(meeting, item_id)
    person = _person()

    def call(version, now):
        meetings.update_agenda_item(item, person, _agenda_input(data), now,
                                    expected_version=version)
        if "is_done" in data and bool(data["is_done"]) != item.is_done:
            meetings.set_item_done(item, person, data["is_done"], now)

    return _versioned("agenda_item", item, schemas.AgendaItemSchema().dump, call,
                      lambda: _item_response(item))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>", methods=["DELETE"])
@bp.response(204)
@bp.alt_response(412, description="The item changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def delete_agenda_item(meeting_id, item_id):
    """Remove an agenda item (its History keeps what it said), with If-Match = its ETag."""
    meeting = _meeting_for_edit(meeting_id)
    item = _item(meeting, item_id)
    return _versioned("agenda_item", item, schemas.AgendaItemSchema().dump,
                      lambda version, now: meetings.delete_agenda_item(
                          item, _person(), now, expected_version=version),
                      lambda: Response(status=204))


@bp.route("/meetings/<int:meeting_id>/agenda/publish", methods=["POST"])
@bp.response(200, schemas.MeetingDetailSchema)
@bp.alt_response(412, description="The meeting changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def publish_agenda(meeting_id):
    """Publish the agenda to the group's members (they are e-mailed it), with If-Match = the
    meeting's ETag."""
    meeting = _meeting_for_edit(meeting_id)
    return _versioned("meeting", meeting, schemas.MeetingSchema().dump,
                      lambda version, now: meetings.publish_agenda(
                          meeting, _person(), now, expected_version=version),
                      lambda: _meeting_response(meeting))


# --- attendance and minutes -----------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["PUT"])
@bp.arguments(schemas.AttendanceInSchema)
@bp.response(200, schemas.MeetingDetailSchema)
@bp.alt_response(412, description="The meeting changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def record_attendance(data, meeting_id):
    """Replace who attended and which participants were represented (the meeting is then
    held), with If-Match = the meeting's ETag."""
    meeting = _meeting_for_edit(meeting_id)
    participant_ids = _participant_ids(data.get("participants"))
    return _versioned("meeting", meeting, schemas.MeetingSchema().dump,
                      lambda version, now: meetings.record_attendance(
                          meeting, _person(), data["person_ids"], participant_ids, now,
                          expected_version=version),
                      lambda: _meeting_response(meeting))


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["PUT"])
@bp.arguments(schemas.MinutesInSchema)
@bp.response(200, schemas.MeetingDetailSchema)
@bp.alt_response(412, description="The meeting changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def save_minutes(data, meeting_id):
    """Save the minutes (Markdown) and, with "publish": true, publish them; If-Match = the
    meeting's ETag."""
    meeting = _meeting_for_edit(meeting_id)

    def call(version, now):
        meetings.save_minutes(meeting, _person(), data["minutes_md"], now,
                              expected_version=version)
        if data.get("publish") and meeting.minutes_published_at is None:
            meetings.publish_minutes(meeting, _person(), now)

    return _versioned("meeting", meeting, schemas.MeetingSchema().dump, call,
                      lambda: _meeting_response(meeting))


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
@bp.arguments(schemas.DecisionInSchema)
@bp.response(201, schemas.DecisionSchema)
def add_decision(data, meeting_id):
    """Record a decision of the meeting (its group's chairs). Send an Idempotency-Key to retry
    safely."""
    meeting = _meeting_for_edit(meeting_id)
    now = utcnow()

    def write():
        try:
            decision = meetings.add_decision(meeting, _person(), data["text"], now,
                                             sensitivity=data.get("sensitivity"))
        except ValidationError as exc:
            _validation(exc)
        db.session.flush()
        db.session.refresh(decision)
        return _json(schemas.DecisionSchema(), decision, 201,
                     {"ETag": etag("decision", decision)})

    return run_write(_person(), now, write)



# --- labels (TLP 2.0) -----------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/labels", methods=["PUT"])
@bp.arguments(schemas.MeetingLabelsInSchema)
@bp.response(200, schemas.MeetingDetailSchema)
@bp.alt_response(412, description="The meeting changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def set_meeting_labels(data, meeting_id):
    """Set the meeting's and its minutes' TLP labels (omitted: unchanged), with If-Match = the
    meeting's ETag. Unchanged labels record nothing."""
    meeting = _meeting_for_edit(meeting_id)
    return _versioned("meeting", meeting, schemas.MeetingSchema().dump,
                      lambda version, now: meetings.set_meeting_labels(
                          meeting, _person(), data.get("sensitivity"),
                          data.get("minutes_sensitivity"), now, expected_version=version),
                      lambda: _meeting_response(meeting))


def _decision_response(decision):
    db.session.refresh(decision)
    return _json(schemas.DecisionSchema(), decision, 200, {"ETag": etag("decision", decision)})


@bp.route("/decisions/<int:decision_id>")
@bp.response(200, schemas.DecisionSchema)
def decision(decision_id):
    """A decision of the register (with its label and ETag)."""
    d = permissions.decision_for_view(_person(), decision_id)
    return d, 200, {"ETag": etag("decision", d)}


@bp.route("/decisions/<int:decision_id>/label", methods=["PUT"])
@bp.arguments(schemas.DecisionLabelInSchema)
@bp.response(200, schemas.DecisionSchema)
@bp.alt_response(412, description="The decision changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def set_decision_label(data, decision_id):
    """Set a decision's TLP label (its group's chairs), with If-Match = its ETag."""
    from wg.decisions import services as decisions

    _require_write()
    person = _person()
    d = permissions.decision_for_edit(person, decision_id)
    return _versioned("decision", d, schemas.DecisionSchema().dump,
                      lambda version, now: decisions.update_decision(
                          d, person, d.text, d.status, [a.id for a in d.actions], now,
                          expected_version=version, sensitivity=data["sensitivity"]),
                      lambda: _decision_response(d))
