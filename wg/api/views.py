"""API resources: thin views over the same permission loaders and services as the pages."""

import json

from flask import Response, abort, current_app, g, render_template, url_for
from flask_smorest import abort as api_abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg import permissions
from wg.actions import queries as action_queries
from wg.actions import services as actions
from wg.actions.models import ActionItem
from wg.api import bp, schemas
from wg.api.idempotency import run_write
from wg.api.paging import etag, if_match_version, page_by_id, page_by_update, page_headers, stale
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Group
from wg.history.models import HistoryEntry
from wg.history.services import StaleEdit
from wg.meetings import services as meetings
from wg.meetings.models import Meeting, MeetingSeries, MeetingStatus
from wg.participants.models import Participant

WRITE_RESPONSES = (400, 401, 403, 404, 412, 422, 428, 429)


def _person():
    return g.api_person


def _require_write():
    if not g.api_token.can_write:
        abort(403, description="This token is read-only; create a token with the write scope.")


def _json(schema, obj, status=200, headers=None):
    response = Response(json.dumps(schema.dump(obj)), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _validation(exc):
    """A service's ValidationError as 422 with field errors."""
    errors = {(field or "_"): [message] for field, message in exc.errors.items()}
    api_abort(422, message="; ".join(exc.errors.values()), errors=errors)


def _page(items, nxt):
    return {"items": items, "next": nxt}, 200, page_headers(nxt)


# --- the document and its docs page ---------------------------------------------------------


def _problem_media(spec):
    """Error responses are application/problem+json (RFC 9457), not application/json."""
    def fix(responses):
        for code, response in responses.items():
            if (code == "default" or str(code) >= "4") and "content" in response:
                content = response["content"]
                if "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")

    fix(spec.get("components", {}).get("responses", {}))
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                fix(op["responses"])
    return spec


@bp.route("/openapi.json")
def openapi_json():
    spec = _problem_media(current_app.extensions["wg_api"].spec.to_dict())
    for own in ("/api/v1/openapi.json", "/api/v1/docs"):  # the document, not the API
        spec.get("paths", {}).pop(own, None)
    spec["servers"] = [{"url": "/"}]
    return current_app.response_class(json.dumps(spec), mimetype="application/json")


@bp.route("/docs")
def docs():
    return render_template("api/docs.html", spec_url=url_for("api.openapi_json"))


# --- groups, participants, people -----------------------------------------------------------


@bp.route("/groups")
@bp.response(200, schemas.GroupTreeSchema)
def groups():
    """The group tree (working groups with their sub-groups) the token's person may see."""
    visible = permissions.visible_group_ids(_person())
    rows = db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()
    shown = [r for r in rows if visible is None or r.id in visible]
    by_parent = {}
    for r in shown:
        by_parent.setdefault(r.parent_id, []).append(r)

    def node(r):
        d = schemas.GroupSchema(exclude=("children",)).dump(r)
        d["children"] = [node(c) for c in by_parent.get(r.id, [])]
        return d

    shown_ids = {r.id for r in shown}
    roots = [r for r in shown if r.parent_id is None or r.parent_id not in shown_ids]
    return {"items": [node(r) for r in roots]}


@bp.route("/groups/<slug>")
@bp.response(200, schemas.GroupSchema)
def group(slug):
    g_ = permissions.group_for_view(_person(), slug)
    return schemas.GroupSchema(exclude=("children",)).dump(g_), 200, {"ETag": etag("group", g_)}


@bp.route("/participants")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.ParticipantPage)
def participants(args):
    """Countries and organizations of the coalition, by id."""
    # The signature date (wg.pledge) comes in one more query for the page, not one per row.
    rows, nxt = page_by_id(select(Participant).options(selectinload(Participant.pledge_signature)),
                           Participant.id, args.get("cursor"), args["limit"])
    return _page(rows, nxt)


@bp.route("/participants/<code>")
@bp.response(200, schemas.ParticipantSchema)
def participant(code):
    p = db.session.scalar(select(Participant).where(Participant.code == code.upper()[:16]))
    if p is None:
        abort(404)
    return p, 200, {"ETag": etag("participant", p)}


@bp.route("/people")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.PersonPage)
def people(args):
    """Everyone with an account: coordinators only."""
    from wg.auth.models import Person

    permissions.require_coordinator(_person())
    rows, nxt = page_by_id(select(Person), Person.id, args.get("cursor"), args["limit"])
    return _page(rows, nxt)


@bp.route("/people/<int:person_id>")
@bp.response(200, schemas.PersonSchema)
def person(person_id):
    """A person's record: coordinators, and the person themself."""
    from wg.auth.models import Person

    subject = db.session.get(Person, person_id)
    if subject is None:
        abort(404)
    if not permissions.can_view_person_history(_person(), subject):
        abort(403)
    return subject, 200, {"ETag": etag("person", subject)}


# --- meetings and series --------------------------------------------------------------------


@bp.route("/groups/<slug>/meetings")
@bp.arguments(schemas.MeetingListArgs, location="query")
@bp.response(200, schemas.MeetingPage)
def group_meetings(args, slug):
    """A group's meetings by id, optionally by status and start window (from, to)."""
    g_ = permissions.group_for_meetings(_person(), slug)
    stmt = select(Meeting).where(Meeting.group_id == g_.id,
                                 permissions.sensitivity_clause(_person(), Meeting))
    if args.get("status"):
        stmt = stmt.where(Meeting.status == MeetingStatus(args["status"]))
    if args.get("start_from"):
        stmt = stmt.where(Meeting.start_at >= args["start_from"])
    if args.get("start_to"):
        stmt = stmt.where(Meeting.start_at < args["start_to"])
    rows, nxt = page_by_id(stmt, Meeting.id, args.get("cursor"), args["limit"])
    return _page(rows, nxt)


def _meeting_detail(m, person):
    """The meeting with what the person may see of it, as raw values for the schema."""
    from types import SimpleNamespace

    drafts = permissions.can_see_meeting_drafts(person, m)
    people, participants_ = meetings.attendance_of(m)
    agenda_visible = drafts or m.agenda_published_at is not None
    minutes_visible = (drafts or m.minutes_published_at is not None) \
        and permissions.can_see_minutes(person, m)
    data = {name: getattr(m, name) for name in schemas.MeetingSchema._declared_fields}
    answer = meetings.rsvp_of(m, person)
    data.update(
        agenda=list(m.agenda_items) if agenda_visible else [],
        attendance={"person_ids": sorted(people), "participant_ids": sorted(participants_),
                    "recorded_at": m.attendance_recorded_at},
        minutes_md=m.minutes_md if minutes_visible else None,
        minutes_html=m.minutes_html if minutes_visible else None,
        decisions=[d for d in m.decisions if permissions.can_see_sensitivity(person, d)],
        my_rsvp=answer.value if answer else None)
    return SimpleNamespace(**data)


@bp.route("/meetings/<int:meeting_id>")
@bp.response(200, schemas.MeetingDetailSchema)
def meeting(meeting_id):
    """A meeting with its agenda, attendance, minutes (when visible) and decisions."""
    m = permissions.meeting_for_view(_person(), meeting_id)
    return _meeting_detail(m, _person()), 200, {"ETag": etag("meeting", m)}


@bp.route("/meetings/<int:meeting_id>/rsvp", methods=["PUT"])
@bp.arguments(schemas.RsvpInSchema)
@bp.response(200, schemas.RsvpSchema)
@bp.alt_response(422, description="The meeting is cancelled or over")
def rsvp(data, meeting_id):
    """Answer yes, no or maybe for an upcoming meeting (members of its group)."""
    _require_write()
    person = _person()
    m = permissions.meeting_for_rsvp(person, meeting_id)
    now = utcnow()

    def write():
        try:
            answer = meetings.set_rsvp(m, person, data["answer"], now)
        except ValidationError as exc:
            _validation(exc)
        return _json(schemas.RsvpSchema(), answer, headers={"ETag": etag("meeting", m)})

    return run_write(person, now, write)


@bp.route("/groups/<slug>/series")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.SeriesPage)
def group_series(args, slug):
    g_ = permissions.group_for_meetings(_person(), slug)
    rows, nxt = page_by_id(select(MeetingSeries).where(MeetingSeries.group_id == g_.id),
                           MeetingSeries.id, args.get("cursor"), args["limit"])
    return _page(rows, nxt)


@bp.route("/series/<int:series_id>")
@bp.response(200, schemas.SeriesSchema)
def series(series_id):
    s = permissions.series_for_view(_person(), series_id)
    return s, 200, {"ETag": etag("series", s)}


# --- actions --------------------------------------------------------------------------------

ACTION_OPTIONS = (selectinload(ActionItem.participants),)


@bp.route("/actions")
@bp.arguments(schemas.ActionListArgs, location="query")
@bp.response(200, schemas.ActionPage)
def action_list(args):
    """Actions with the action list page's filters, plus updated_since, ordered by
    (updated_at, id): follow `next` until it is null; `next` of the last page resumes later."""
    person = _person()
    now = utcnow()
    query = {k: v for k, v in args.items() if k in ("group", "status", "owner", "participant",
                                                   "q")}
    for flag in ("overdue", "stale"):
        if args.get(flag):
            query[flag] = "1"
    try:
        filters = action_queries.parse_filters(
            {k: str(v) for k, v in query.items()},
            lambda slug: permissions.group_for_actions(person, slug), default_all=True)
    except ValidationError as exc:
        _validation(exc)
    stmt = action_queries.list_query(filters, permissions.visible_action_group_ids(person), now.date(),
                              now, person=person).options(*ACTION_OPTIONS)
    if args.get("updated_since"):
        stmt = stmt.where(ActionItem.updated_at >= args["updated_since"])
    rows, cursor, more = page_by_update(stmt, ActionItem.updated_at, ActionItem.id,
                                        args.get("cursor"), args["limit"])
    nxt = cursor if more else None
    body, status, headers = _page(rows, nxt)
    headers["X-Resume-Cursor"] = cursor or (args.get("cursor") or "")
    return body, status, headers


def _action_response(action, status=200, headers=None):
    db.session.refresh(action)
    return _json(schemas.ActionDetailSchema(), action, status,
                 {"ETag": etag("action", action), **(headers or {})})


@bp.route("/actions/<int:action_id>")
@bp.response(200, schemas.ActionDetailSchema)
def action(action_id):
    """An action with its progress entries."""
    a = permissions.action_for_view(_person(), action_id)
    return a, 200, {"ETag": etag("action", a)}


def _versioned_action_write(person, a, call):
    """Run `call(version, now)` on the action named by If-Match: 412 with the current state
    when stale, 422 on a validation error, the updated action otherwise (Idempotency-Key aware).
    """
    dump = schemas.ActionSchema().dump
    now = utcnow()

    def write():
        version = if_match_version("action", a, dump)
        try:
            call(version, now)
        except (actions.StaleVersion, StaleEdit):
            db.session.rollback()
            stale("action", db.session.get(ActionItem, a.id), dump)
        except ValidationError as exc:
            _validation(exc)
        return _action_response(a)

    return run_write(person, now, write)


@bp.route("/actions/<int:action_id>/progress", methods=["POST"])
@bp.arguments(schemas.ProgressInSchema)
@bp.response(200, schemas.ActionDetailSchema)
@bp.alt_response(412, description="The action changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def record_progress(data, action_id):
    """Record progress (status, progress 0-100, note) with If-Match = the action's ETag."""
    _require_write()
    person = _person()
    a = permissions.action_for_update(person, action_id)
    return _versioned_action_write(person, a, lambda version, now: actions.record_progress(
        a, person, data["status"], data["progress"], data["note"], expected_version=version,
        now=now, token=g.api_token))


def _participant_ids(codes):
    """Participant codes from a request body as ids; 422 naming every unknown code."""
    codes = [c.strip().upper() for c in codes or []]
    if not codes:
        return []
    found = dict(db.session.execute(select(Participant.code, Participant.id)
                                    .where(Participant.code.in_(codes))).all())
    missing = [c for c in codes if c not in found]
    if missing:
        api_abort(422, message="Unknown participant codes.",
                  errors={"participants": [f"Unknown participant {c!r}." for c in missing]})
    return [found[c] for c in codes]


def _action_input(data, group, create):
    ids = _participant_ids(data.get("participants"))
    return actions.ActionInput(
        title=data["title"], description=data.get("description") or "",
        owner_id=data.get("owner_id"), participant_ids=ids, due_date=data["due_date"],
        weight=data.get("weight", 1), origin_meeting_id=data.get("origin_meeting_id"),
        status=data.get("status", "open") if create else "open",
        progress=data.get("progress", 0) if create else 0, note=data.get("note", ""),
        sensitivity=data.get("sensitivity"))


@bp.route("/groups/<slug>/actions", methods=["POST"])
@bp.arguments(schemas.ActionCreateSchema)
@bp.response(201, schemas.ActionDetailSchema)
def create_action(data, slug):
    """Create an action in a group (its chairs). Send an Idempotency-Key to retry safely."""
    _require_write()
    person = _person()
    g_ = permissions.group_for_managing_actions(person, slug)
    now = utcnow()

    def write():
        try:
            a = actions.create_action(g_, person, _action_input(data, g_, True), now,
                                      token=g.api_token)
        except ValidationError as exc:
            _validation(exc)
        db.session.flush()
        return _action_response(a, 201, {"Location": url_for("api.action", action_id=a.id)})

    return run_write(person, now, write)


@bp.route("/actions/<int:action_id>", methods=["PUT"])
@bp.arguments(schemas.ActionInSchema)
@bp.response(200, schemas.ActionDetailSchema)
@bp.alt_response(412, description="The action changed since the If-Match ETag")
@bp.alt_response(428, description="If-Match is missing")
def edit_action(data, action_id):
    """Replace an action's details (its group's chairs), with If-Match = its ETag."""
    _require_write()
    person = _person()
    a = permissions.action_for_manage(person, action_id)
    return _versioned_action_write(person, a, lambda version, now: actions.update_action(
        a, person, _action_input(data, a.group, False), version, now, token=g.api_token))


# --- rollups --------------------------------------------------------------------------------


def _figures(f):
    return f.as_dict()


def _scope(s):
    return {
        "label": s.label, "group_id": s.group.id if s.group is not None else None,
        "participant_code": None, "figures": _figures(s.figures),
        "trend": [{"month": m, "figures": _figures(f)} for m, f in s.month_rows],
        "children": [_scope(c) for c in s.children],
    }


@bp.route("/rollups")
@bp.response(200, schemas.RollupSchema(many=True))
def rollups():
    """The coalition (coordinators) and each line of effort with its sub-groups the person
    leads, with the month-end trend."""
    from wg.rollups import services as rollup_services

    person = _person()
    if not permissions.can_view_rollups(person):
        abort(403)
    scopes = rollup_services.build_scopes(permissions.rollup_group_ids(person), utcnow())
    return [_scope(s) for s in scopes]


@bp.route("/rollups/groups/<slug>")
@bp.response(200, schemas.RollupSchema)
def group_rollup(slug):
    """A line of effort's or a sub-group's rollup, with its month-end trend."""
    from wg.rollups import services as rollup_services

    g_ = permissions.group_for_rollups(_person(), slug)
    return _scope(rollup_services.group_scope(g_, utcnow()))


@bp.route("/rollups/participants")
@bp.response(200, schemas.RollupSchema(many=True))
def participant_rollups():
    """Per participant: the actions it is responsible for in the groups the person leads."""
    from wg.rollups import queries

    person = _person()
    if not permissions.can_view_rollups(person):
        abort(403)
    now = utcnow()
    rows = queries.participant_figures(now.date(), now, permissions.rollup_group_ids(person))
    return [{"label": p.name, "group_id": None, "participant_code": p.code,
             "figures": _figures(f), "trend": [], "children": []} for p, f, _last in rows]


@bp.route("/rollups/participants/<code>")
@bp.response(200, schemas.RollupSchema)
def participant_rollup(code):
    """One participant's actions in the groups the person leads, with the month-end trend."""
    from wg.api.rollups import participant_rollup as compute_rollup

    person = _person()
    if not permissions.can_view_rollups(person):
        abort(403)
    p = db.session.scalar(select(Participant).where(Participant.code == code.upper()[:16]))
    if p is None:
        abort(404)
    now = utcnow()
    figures, trend = compute_rollup(p, permissions.rollup_group_ids(person), now)
    return {"label": p.name, "group_id": None, "participant_code": p.code,
            "figures": _figures(figures),
            "trend": [{"month": m, "figures": _figures(f)} for m, f in trend], "children": []}


# --- history --------------------------------------------------------------------------------


@bp.route("/history/<object_type>/<int:object_id>")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.HistoryPage)
def object_history(args, object_type, object_id):
    """An object's history (and its children's), oldest first, as on its History page."""
    permissions.history_object_for_view(_person(), object_type[:40], object_id)
    stmt = select(HistoryEntry).where(
        ((HistoryEntry.object_type == object_type) & (HistoryEntry.object_id == object_id))
        | ((HistoryEntry.parent_type == object_type) & (HistoryEntry.parent_id == object_id)))
    rows, nxt = page_by_id(stmt, HistoryEntry.id, args.get("cursor"), args["limit"])
    return _page(rows, nxt)
