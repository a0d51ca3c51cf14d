"""Initiative pages: the list, one initiative with its rollup, create, edit, link actions."""

from flask import (
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg import idempotency, permissions
from wg.actions.models import ActionItem
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import participant_name, sorted_by_name
from wg.groups.models import Group
from wg.history.services import StaleEdit
from wg.initiatives import bp
from wg.initiatives import services as initiatives
from wg.initiatives.forms import InitiativeForm, LinkActionForm
from wg.initiatives.models import Initiative, InitiativeStatus, initiative_leads
from wg.participants.models import Participant
from wg.rollups import fragments
from wg.rollups.compute import EXPLAIN

PER_PAGE = 50


def _filters():
    args = request.args
    group = db.session.scalar(select(Group).where(Group.slug == args.get("group", ""),
                                                  Group.parent_id.is_(None))) \
        if args.get("group") else None
    lead = db.session.scalar(select(Participant).where(Participant.code == args.get("lead", ""))) \
        if args.get("lead") else None
    status = args.get("status") if args.get("status") in {s.value for s in InitiativeStatus} \
        else None
    return group, lead, status


def kept_card(initiative, figures):
    """One initiative of the list (templates/initiatives/_card.html), kept as rendered HTML
    under a key made of everything it shows: the language, its title, status, line of effort,
    leads, dates and figures. Same key, same HTML: a kept card is exact by construction."""
    i = initiative
    key = ("initiative_card", str(get_locale()), request.script_root, i.id, i.title,
           i.status.value, i.group.code, i.start_date, i.end_date,
           tuple((p.code, p.name, p.kind.value, p.alpha2) for p in i.leads), figures.as_tuple())
    return fragments.kept(key, lambda: get_template_attribute(
        "initiatives/_card.html", "card")(i, figures))


@bp.route("/")
def index():
    permissions.require_initiative_viewer(current_user)
    group, lead, status = _filters()
    # The lines of effort first: each initiative's group is then found in the session.
    groups = db.session.scalars(select(Group).where(Group.parent_id.is_(None))
                                .order_by(Group.position, Group.code)).all()
    stmt = select(Initiative).options(selectinload(Initiative.leads))
    if group is not None:
        stmt = stmt.where(Initiative.group_id == group.id)
    if lead is not None:
        stmt = stmt.where(Initiative.id.in_(select(initiative_leads.c.initiative_id).where(
            initiative_leads.c.participant_id == lead.id)))
    if status:
        stmt = stmt.where(Initiative.status == InitiativeStatus(status))
    stmt = stmt.order_by(Initiative.start_date.desc(), Initiative.title, Initiative.id)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    now = utcnow()
    figures = initiatives.rollups_for(page.items, now.date(), now)
    leads = sorted_by_name(db.session.scalars(select(Participant).where(
        Participant.id.in_(select(initiative_leads.c.participant_id)))).all())
    args = {k: v for k, v in (("group", group.slug if group else None),
                              ("lead", lead.code if lead else None), ("status", status)) if v}
    return render_template("initiatives/list.html", page=page, figures=figures, groups=groups,
                           leads=leads, group=group, lead=lead, status=status, args=args,
                           statuses=list(InitiativeStatus), kept_card=kept_card)


def _fill(form, group_choices):
    form.group_id.choices = [(str(g.id), f"{g.code} · {g.title}") for g in group_choices]
    subgroups = db.session.scalars(select(Group).where(
        Group.parent_id.in_([g.id for g in group_choices]), Group.is_active.is_(True))
        .order_by(Group.position, Group.code)).all()
    form.subgroup_ids.choices = [(str(g.id), f"{g.code} · {g.title}") for g in subgroups]
    participants = sorted_by_name(db.session.scalars(select(Participant)).all())
    form.lead_ids.choices = [(str(p.id), f"{participant_name(p)} ({p.code})")
                             for p in participants]
    if not form.idempotency_key.data:
        form.idempotency_key.data = idempotency.new_key()


def _input(form):
    return initiatives.InitiativeInput(
        title=form.title.data or "", goal_md=form.goal_md.data or "",
        group_id=form.group_id.data, subgroup_ids=form.subgroup_ids.data or [],
        lead_ids=form.lead_ids.data or [], start_date=form.start_date.data,
        end_date=form.end_date.data, status=form.status.data)


def _every_error(form):
    """The form's own errors and the service's rules together, so one submit names every
    problem (the form stops at a missing title or date; the service would then find more)."""
    try:
        initiatives.check_input(_input(form))
    except ValidationError as exc:
        missing = ValidationError({f: m for f, m in exc.errors.items()
                                   if not getattr(getattr(form, f, None), "errors", None)})
        for message in missing.apply_to(form):
            flash(message, "danger")


def _allowed_group(group_id):
    """The chosen line of effort must be one the person may edit (else 403)."""
    group = db.session.get(Group, int(group_id)) if str(group_id or "").isdigit() else None
    if group is not None and not permissions.can_edit_initiatives_of(current_user, group):
        abort(403)


@bp.route("/new", methods=["GET", "POST"])
def new():
    permissions.require_initiative_creator(current_user)
    form = InitiativeForm()
    _fill(form, permissions.initiative_groups_for_edit(current_user))
    if request.method == "GET" and request.args.get("group"):
        chosen = next((c for c, _label in form.group_id.choices
                       if db.session.get(Group, int(c)).slug == request.args["group"]), None)
        form.group_id.data = chosen
    if form.validate_on_submit():
        _allowed_group(form.group_id.data)
        try:
            initiative = initiatives.create_initiative(current_user, _input(form), utcnow(),
                                                       key=form.idempotency_key.data)
            db.session.commit()
            flash(_("Initiative “%(title)s” created.", title=initiative.title), "success")
            return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
        except idempotency.AlreadyDone as exc:
            db.session.rollback()
            flash(_("%(problem)s Nothing new was added.", problem=str(exc)), "info")
            return redirect(url_for("initiatives.index"))
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    elif form.is_submitted():
        _every_error(form)
    status = 422 if form.is_submitted() else 200
    return render_template("initiatives/form.html", form=form, initiative=None), status


@bp.route("/<int:initiative_id>/edit", methods=["GET", "POST"])
def edit(initiative_id):
    initiative = permissions.initiative_for_edit(current_user, initiative_id)
    form = InitiativeForm(obj=None if request.method == "POST" else initiative)
    _fill(form, permissions.initiative_groups_for_edit(current_user))
    if request.method == "GET":
        form.group_id.data = str(initiative.group_id)
        form.subgroup_ids.data = [str(g.id) for g in initiative.subgroups]
        form.lead_ids.data = [str(p.id) for p in initiative.leads]
        form.status.data = initiative.status.value
        form.version.data = initiative.version
    stale = None
    if form.validate_on_submit():
        _allowed_group(form.group_id.data)
        try:
            initiatives.update_initiative(initiative, current_user, _input(form), utcnow(),
                                          expected_version=form.version.data or None)
            db.session.commit()
            flash(_("Initiative updated."), "success")
            return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
        except StaleEdit as exc:
            db.session.rollback()
            db.session.refresh(initiative)
            stale = exc
            form.version.data = initiative.version
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
    elif form.is_submitted():
        _every_error(form)
    status = 409 if stale else (422 if form.is_submitted() else 200)
    return render_template("initiatives/form.html", form=form, initiative=initiative,
                           stale=stale), status


def _render_detail(initiative, link_form=None, status=200):
    now = utcnow()
    figures = initiatives.rollup(initiative, now.date(), now)
    if link_form is None:
        link_form = LinkActionForm()
    visible = permissions.visible_action_group_ids(current_user)
    if permissions.can_edit_initiative(current_user, initiative):
        link_form.action_id.choices = [("", _("— pick an action —"))] + [
            (str(a.id), f"#{a.id} {a.group.code} · {a.title}"[:160])
            for a in initiatives.link_candidates(initiative)
            if visible is None or a.group_id in visible]
        link_form.version.data = initiative.version
        if not link_form.idempotency_key.data:
            link_form.idempotency_key.data = idempotency.new_key()
    from wg.history import services as history

    entries = list(reversed(history.entries_for("initiative", initiative.id)))[:20]
    explain = dict(EXPLAIN, total=_("Linked actions, excluding dropped ones."))
    return render_template("initiatives/detail.html", initiative=initiative, figures=figures,
                           explain=explain, today=now.date(), now=now, link_form=link_form,
                           visible=visible, entries=entries, history=history,
                           leads=sorted_by_name(initiative.leads)), status


@bp.route("/<int:initiative_id>")
def detail(initiative_id):
    initiative = permissions.initiative_for_view(current_user, initiative_id)
    return _render_detail(initiative)


@bp.route("/<int:initiative_id>/actions", methods=["POST"])
def link(initiative_id):
    initiative = permissions.initiative_for_edit(current_user, initiative_id)
    form = LinkActionForm()
    form.action_id.choices = []
    if not form.validate_on_submit():
        return _render_detail(initiative, form, 422)
    action_id = form.action_number.data or (int(form.action_id.data)
                                            if (form.action_id.data or "").isdigit() else None)
    action = db.session.get(ActionItem, action_id) if action_id else None
    if action_id is None:
        form.action_number.errors = [_("Pick an action, or type the number of one.")]
        return _render_detail(initiative, form, 422)
    if action is None or not permissions.can_view_actions(current_user, action.group):
        # The same answer whether it does not exist or is not the person's to see.
        form.action_number.errors = [_("There is no action number %(num)s that you may link "
                                       "here.", num=action_id)]
        return _render_detail(initiative, form, 422)
    try:
        initiatives.link_action(initiative, current_user, action, utcnow(),
                                expected_version=form.version.data or None,
                                key=form.idempotency_key.data)
        db.session.commit()
        flash(_("Action #%(id)s linked to the initiative.", id=action.id), "success")
    except idempotency.AlreadyDone:
        db.session.rollback()
        flash(_("That action was already linked; nothing new was added."), "info")
    except StaleEdit as exc:
        db.session.rollback()
        flash(exc.describe(), "warning")
    except ValidationError as exc:
        db.session.rollback()
        db.session.refresh(initiative)
        form.action_number.errors = list(exc.errors.values())
        return _render_detail(initiative, form, 422)
    return redirect(url_for("initiatives.detail", initiative_id=initiative.id))


@bp.route("/<int:initiative_id>/actions/<int:action_id>/unlink", methods=["POST"])
def unlink(initiative_id, action_id):
    initiative = permissions.initiative_for_edit(current_user, initiative_id)
    action = db.session.get(ActionItem, action_id)
    if action is None or action not in initiative.actions:
        abort(404)
    try:
        initiatives.unlink_action(initiative, current_user, action, utcnow(),
                                  expected_version=request.form.get("version") or None)
        db.session.commit()
        flash(_("Action #%(id)s is no longer linked to the initiative.", id=action.id), "success")
    except StaleEdit as exc:
        db.session.rollback()
        flash(exc.describe(), "warning")
    return redirect(url_for("initiatives.detail", initiative_id=initiative.id))
