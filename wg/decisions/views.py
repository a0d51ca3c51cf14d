"""The decision register: the coalition-wide list (and CSV), one decision, record and edit."""

import csv
import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg import idempotency, permissions
from wg.actions.models import OPEN_STATUSES, ActionItem
from wg.db_types import utcnow
from wg.decisions import bp
from wg.decisions import services as decisions
from wg.decisions.forms import EditDecisionForm, RecordDecisionForm
from wg.decisions.models import Decision, DecisionStatus
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import format_date
from wg.groups.models import Group
from wg.history import services as history
from wg.history.services import StaleEdit, entries_for
from wg.meetings.models import Meeting

PER_PAGE = 50


def _day(value):
    try:
        return date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def _filters():
    """(group, status, from, to, newest first, problems) from the query string."""
    args, problems = request.args, []
    group = None
    if args.get("group"):
        group = permissions.group_for_decisions(current_user, args["group"])
    status = args.get("status") or None
    if status and status not in {s.value for s in DecisionStatus}:
        problems.append(_("Unknown status."))
        status = None
    start, end = _day(args.get("from")), _day(args.get("to"))
    if (args.get("from") and start is None) or (args.get("to") and end is None):
        problems.append(_("Dates are written YYYY-MM-DD."))
    return group, status, start, end, args.get("sort") != "date", problems


def _range_problem(start, end):
    """The message shown beside the date fields when the range is empty, else None."""
    if start and end and start > end:
        return _("The From date (%(start)s) is after the To date (%(end)s): no decision can "
                 "match. Swap them or change one.", start=format_date(start),
                 end=format_date(end))
    return None


def _query(group, status, start, end, newest, groups=None):
    """The decisions matching the filters that the person reads; `groups` is every group when
    the caller has them already (a working group's filter takes in its sub-groups)."""
    stmt = select(Decision)
    clause = permissions.visible_decision_clause(current_user)
    if clause is not None:
        stmt = stmt.where(clause)
    if group is not None:
        children = group.children if groups is None else [
            g for g in groups if g.parent_id == group.id]
        ids = [group.id] + ([c.id for c in children] if group.parent_id is None else [])
        stmt = stmt.where(Decision.group_id.in_(ids))
    if status:
        stmt = stmt.where(Decision.status == DecisionStatus(status))
    if start:
        stmt = stmt.where(Decision.decided_on >= start)
    if end:
        stmt = stmt.where(Decision.decided_on <= end)
    if newest:
        return stmt.order_by(Decision.decided_on.desc(), Decision.id.desc())
    return stmt.order_by(Decision.decided_on, Decision.id)


@bp.route("/")
def index():
    group, status, start, end, newest, problems = _filters()
    for message in problems:
        flash(_("%(problem)s That filter was ignored.", problem=message), "warning")
    # Every group in one statement, kept for the request: the decisions' groups then come from
    # the session's identity map without a SELECT of their own.
    every_group = db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()
    stmt = _query(group, status, start, end, newest, every_group).options(
        selectinload(Decision.meeting))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    visible = permissions.visible_group_ids(current_user)
    groups = [g for g in every_group if visible is None or g.id in visible]
    args = {k: v for k, v in (("group", group.slug if group else None), ("status", status),
                              ("from", start.isoformat() if start else None),
                              ("to", end.isoformat() if end else None),
                              ("sort", None if newest else "date")) if v}
    return render_template("decisions/list.html", page=page, groups=groups, group=group,
                           status=status, start=start, end=end, newest=newest, args=args,
                           statuses=list(DecisionStatus),
                           range_problem=_range_problem(start, end))


CSV_HEADER = ("reference", "group", "year", "number", "decided_on", "status", "text",
              "meeting", "minutes_url", "supersedes", "follow_up_actions", "url", "sensitivity")


@bp.route("/export.csv")
def export():
    group, status, start, end, newest, problems = _filters()
    if (problem := _range_problem(start, end)) is not None:
        problems.append(problem)
    if problems:
        # A plain-text reason a person (or a script) can read; the register shows it too.
        return Response(_("The CSV export was not made: %(problems)s",
                          problems=" ".join(problems)) + "\n", status=400,
                        content_type="text/plain; charset=utf-8")
    stmt = _query(group, status, start, end, newest).options(
        selectinload(Decision.group), selectinload(Decision.meeting),
        selectinload(Decision.supersedes).selectinload(Decision.group),
        selectinload(Decision.actions))
    out = io.StringIO()
    if request.args.get("excel") != "0":
        out.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for d in db.session.scalars(stmt):
        writer.writerow([
            d.reference, d.group.code, d.year, d.number, d.decided_on.isoformat(),
            d.status.value, d.text, d.meeting.title if d.meeting else "",
            url_for("meetings.detail", meeting_id=d.meeting_id, _external=True,
                    _anchor="minutes") if d.meeting_id else "",
            d.supersedes.reference if d.supersedes else "",
            " ".join(f"#{a.id}" for a in d.actions),
            url_for("decisions.detail", decision_id=d.id, _external=True),
            d.sensitivity.tlp])
    name = "decisions" + ("-" + group.slug if group else "") + ".csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:decision_id>")
def detail(decision_id):
    decision = permissions.decision_for_view(current_user, decision_id)
    entries = list(reversed(entries_for("decision", decision.id, include_children=False)))
    visible = permissions.visible_action_group_ids(current_user)
    return render_template("decisions/detail.html", decision=decision, entries=entries,
                           later=decisions.superseded_by(decision), visible=visible,
                           history=history)


def _action_choices(group):
    ids = [group.id] + ([c.id for c in group.children] if group.parent_id is None
                        else [group.parent_id])
    actions = db.session.scalars(select(ActionItem).where(
        ActionItem.group_id.in_(ids), ActionItem.status.in_(list(OPEN_STATUSES)))
        .order_by(ActionItem.due_date, ActionItem.id).limit(300)).all()
    return [(str(a.id), f"#{a.id} {a.title}"[:160]) for a in actions]


def _meeting_choices(group):
    from wg.meetings.services import meeting_choices

    return [("", _("— none —"))] + [(str(mid), label)
                                     for mid, label in meeting_choices(group, utcnow())]


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Record a decision: first pick the group (a list of links), then the form."""
    slug = request.args.get("group")
    if not slug:
        groups = permissions.decision_groups_for_recording(current_user)
        if not groups:
            abort(403)
        return render_template("decisions/pick_group.html", groups=groups)
    group = db.session.scalar(select(Group).where(Group.slug == slug))
    if group is None:
        abort(404)
    group = permissions.group_for_recording_decisions(current_user, group.id)
    form = RecordDecisionForm()
    form.meeting_id.choices = _meeting_choices(group)
    form.supersedes_id.choices = [("", _("— none —"))] + [
        (str(d.id), f"{d.reference} · {d.text[:80]}") for d in decisions.supersede_choices(group)]
    form.action_ids.choices = _action_choices(group)
    meeting = None
    if request.args.get("meeting", "").isdigit():
        meeting = db.session.get(Meeting, int(request.args["meeting"]))
        if meeting is None or meeting.group_id != group.id:
            abort(404)
        if request.method == "GET":
            form.meeting_id.data = str(meeting.id)
    if not form.idempotency_key.data:
        form.idempotency_key.data = idempotency.new_key()
    if form.validate_on_submit():
        data = decisions.DecisionInput(
            text=form.text.data, decided_on=form.decided_on.data,
            meeting_id=form.meeting_id.data or None, supersedes_id=form.supersedes_id.data or None,
            action_ids=form.action_ids.data or [], sensitivity=form.sensitivity.data or None)
        try:
            decision = decisions.record_decision(group, current_user, data, utcnow(),
                                                 key=form.idempotency_key.data)
            db.session.commit()
            flash(_("Decision %(ref)s recorded.", ref=decision.reference), "success")
            return redirect(url_for("decisions.detail", decision_id=decision.id))
        except idempotency.AlreadyDone as exc:
            db.session.rollback()
            flash(_("%(problem)s Nothing new was added.", problem=str(exc)), "info")
            return redirect(url_for("decisions.index", group=group.slug))
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    status = 422 if form.is_submitted() else 200
    return render_template("decisions/form.html", form=form, group=group, meeting=meeting,
                           decision=None), status


@bp.route("/<int:decision_id>/edit", methods=["GET", "POST"])
def edit(decision_id):
    decision = permissions.decision_for_edit(current_user, decision_id)
    form = EditDecisionForm(obj=None if request.method == "POST" else decision)
    form.action_ids.choices = _action_choices(decision.group) + [
        (str(a.id), f"#{a.id} {a.title}"[:160]) for a in decision.actions
        if a.status.value not in ("open", "in_progress", "blocked")]
    if request.method == "GET":
        form.status.data = decision.status.value
        form.sensitivity.data = decision.sensitivity.value
        form.action_ids.data = [str(a.id) for a in decision.actions]
        form.version.data = decision.version
    stale = None
    if form.validate_on_submit():
        try:
            decisions.update_decision(decision, current_user, form.text.data, form.status.data,
                                      form.action_ids.data or [], utcnow(),
                                      expected_version=form.version.data or None,
                                      sensitivity=form.sensitivity.data or None)
            db.session.commit()
            flash(_("Decision %(ref)s updated.", ref=decision.reference), "success")
            return redirect(url_for("decisions.detail", decision_id=decision.id))
        except StaleEdit as exc:
            db.session.rollback()
            db.session.refresh(decision)
            stale = exc
            form.version.data = decision.version
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    status = 409 if stale else (422 if form.is_submitted() else 200)
    return render_template("decisions/form.html", form=form, group=decision.group,
                           decision=decision, meeting=decision.meeting, stale=stale), status
