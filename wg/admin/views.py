from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from wg.admin import bp
from wg.admin.forms import (
    PARTICIPANT_KINDS,
    ROLE_NAMES,
    ConfirmForm,
    GroupForm,
    ParticipantForm,
    PersonForm,
    RoleForm,
)
from wg.auth import services as auth
from wg.auth.models import Person
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.form_flow import saving
from wg.formatting import participant_name, sorted_by_name
from wg.groups import services as groups
from wg.groups.models import Group, Membership, Role
from wg.history import services as history
from wg.listing import order_columns, paginate, paginate_list, parse_sort
from wg.participants import services as participants
from wg.participants.models import Participant, ParticipantKind


def _all_participants():
    return sorted_by_name(db.session.scalars(select(Participant)).all())


@bp.context_processor
def kinds():
    return {"participant_kinds": PARTICIPANT_KINDS}


def _all_groups():
    return db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()


def _active_groups():
    """Groups that take members and roles (retired ones do not)."""
    return [g for g in _all_groups() if g.is_active]


def _get_or_404(model, ident):
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        abort(404)
    return obj


def _flash_rest(messages):
    for message in messages:
        flash(message, "danger")


@bp.route("/")
def index():
    return redirect(url_for("admin.people"))


# People


# Sort keys of the people list (?sort=, a whitelist) and the columns each orders by.
PEOPLE_SORTS = {
    "name": (func.lower(Person.name), Person.id),
    "email": (Person.email, Person.id),
    # The recorded (English) name: the reader's translated names are not in the database.
    "participant": (Participant.name, func.lower(Person.name), Person.id),
    "timezone": (Person.timezone, func.lower(Person.name), Person.id),
}


@bp.route("/people")
def people():
    args = request.args
    sort = parse_sort(args, PEOPLE_SORTS, "name")
    query = select(Person).join(Participant).order_by(
        *order_columns(PEOPLE_SORTS[sort.key], sort.desc))
    q = (args.get("q") or "").strip()[:100]
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Person.name).like(like), Person.email.like(like)))
    if args.get("participant"):
        query = query.where(Participant.code == args["participant"].upper())
    status = args.get("status")
    if status == "active":
        query = query.where(Person.is_active_account.is_(True))
    elif status == "inactive":
        query = query.where(Person.is_active_account.is_(False))
    elif status == "pending":
        query = query.where(Person.password_hash.is_(None))
    elif status == "coordinators":
        query = query.where(Person.is_coordinator.is_(True))
    page = paginate(query, per_page=current_app.config["PER_PAGE"])
    return render_template(
        "admin/people.html", page=page, args=args, sort=sort, participants=_all_participants()
    )


@bp.route("/people/new", methods=["GET", "POST"])
def person_new():
    form = PersonForm(_all_participants())
    if form.validate_on_submit():
        with saving(form) as done:
            done.result = person = auth.create_person(
                name=form.name.data,
                email=form.email.data,
                participant=auth.find_participant(form.participant.data),
                timezone=form.timezone.data,
                language=form.language.data,
                is_coordinator=form.is_coordinator.data,
                now=utcnow(), actor=current_user,
            )
            if form.send_link.data:
                auth.send_password_link(
                    person, now=utcnow(), base_url=current_app.config["BASE_URL"], welcome=True
                )
        if done.saved:
            flash(_("%(name)s is added. A link to set a password is in the outbox.", name=person.name)
                  if form.send_link.data else _("%(name)s is added.", name=person.name), "success")
            return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
def person(person_id):
    person = _get_or_404(Person, person_id)
    form = PersonForm(_all_participants(), obj=person if request.method == "GET" else None,
                      person=person)
    if request.method == "GET":
        form.participant.data = person.participant.code
    stale = None
    if form.validate_on_submit():
        with saving(form) as done:
            auth.update_person(
                person,
                name=form.name.data,
                email=form.email.data,
                participant=auth.find_participant(form.participant.data),
                timezone=form.timezone.data,
                language=form.language.data,
                is_coordinator=form.is_coordinator.data,
                actor=current_user, now=utcnow(), expected_version=form.version.data,
            )
        if done.saved:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.person", person_id=person.id))
        stale = done.stale
    form.version.data = person.version
    memberships = db.session.scalars(
        select(Membership).join(Group).where(Membership.person_id == person.id)
        .order_by(Group.position, Group.code)
    ).all()
    recent = list(reversed(history.entries_for("person", person.id)))[:5]
    return render_template(
        "admin/person.html",
        person=person,
        form=form,
        role_form=RoleForm(_active_groups(), prefix="role"),
        memberships=memberships,
        confirm=ConfirmForm(),
        stale=stale,
        recent=recent,
        history=history,
    ), 409 if stale else 200


@bp.route("/people/<int:person_id>/roles", methods=["POST"])
def person_grant(person_id):
    person = _get_or_404(Person, person_id)
    form = RoleForm(_active_groups(), prefix="role")
    if form.validate_on_submit():
        group = auth.find_group(form.group.data)
        try:
            if group is None:
                raise ValidationError({"group": _("Choose a group.")})
            _membership, created = auth.grant_role(person, group, auth.parse_role(form.role.data),
                                         actor=current_user, now=utcnow())
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.errors.values():
                flash(message, "danger")
        else:
            db.session.commit()
            flash(_role_given(person, form.role.data, group)
                  if created else _("That role was already given."), "success")
    return redirect(url_for("admin.person", person_id=person.id) + "#roles")


def _role_given(person, role_code, group):
    return _("%(name)s is %(role)s of %(group)s.", name=person.name,
             role=str(ROLE_NAMES.get(role_code, role_code)), group=group.code)


@bp.route("/memberships/<int:membership_id>/revoke", methods=["POST"])
def revoke(membership_id):
    membership = _get_or_404(Membership, membership_id)
    person, group, role = membership.person, membership.group, membership.role
    if ConfirmForm().validate_on_submit():
        auth.revoke_role(person, group, role, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("%(name)s is no longer %(role)s of %(group)s.", name=person.name,
                role=str(ROLE_NAMES.get(role.value, role.value)), group=group.code), "success")
    back = auth.safe_next_url(request.form.get("next"))
    return redirect(back or url_for("admin.person", person_id=person.id) + "#roles")


@bp.route("/people/<int:person_id>/active", methods=["POST"])
def person_active(person_id):
    person = _get_or_404(Person, person_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        if person.id == current_user.id and not active:
            flash(_("You cannot deactivate your own account."), "danger")
        else:
            try:
                auth.set_active(person, active, actor=current_user, now=utcnow(),
                                expected_version=request.form.get("version"))
            except (history.StaleEdit, ValidationError) as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(_("%(name)s is active.", name=person.name) if active
                      else _("%(name)s is deactivated.", name=person.name), "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.route("/people/<int:person_id>/send-link", methods=["POST"])
def person_send_link(person_id):
    person = _get_or_404(Person, person_id)
    if ConfirmForm().validate_on_submit():
        if not person.is_active_account:
            flash(_("Activate the account before sending a link."), "danger")
        else:
            auth.send_password_link(
                person, now=utcnow(), base_url=current_app.config["BASE_URL"],
                welcome=person.password_hash is None,
            )
            db.session.commit()
            flash(_("A set-password link for %(email)s is in the outbox.", email=person.email),
                  "success")
    return redirect(url_for("admin.person", person_id=person.id))


# Roles overview


@bp.route("/roles", methods=["GET", "POST"])
def roles():
    all_groups = _all_groups()
    form = RoleForm(_active_groups(), prefix="role")
    email_error = None
    if form.validate_on_submit():
        person = auth.find_person_by_email(request.form.get("email"))
        group = auth.find_group(form.group.data)
        try:
            if person is None:
                raise ValidationError({"email": _("No one has this e-mail address.")})
            if group is None:
                raise ValidationError({"group": _("Choose a group.")})
            auth.grant_role(person, group, auth.parse_role(form.role.data), actor=current_user,
                            now=utcnow())
        except ValidationError as exc:
            db.session.rollback()
            email_error = exc.errors.pop("email", None)
            _flash_rest(exc.apply_to(form))
        else:
            db.session.commit()
            flash(_role_given(person, form.role.data, group), "success")
            return redirect(url_for("admin.roles"))
    officers = db.session.execute(
        select(Membership, Person, Group)
        .join(Person, Person.id == Membership.person_id)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.role.in_([Role.chair, Role.lead]))
        .order_by(Group.position, Group.code, Membership.role, Person.name)
    ).all()
    return render_template(
        "admin/roles.html", form=form, officers=officers, groups=all_groups,
        email_value=request.form.get("email", ""), email_error=email_error, confirm=ConfirmForm(),
    )


# Groups


def _working_groups(exclude=None):
    return [g for g in _all_groups() if g.parent_id is None and g is not exclude]


@bp.route("/groups")
def groups_list():
    return render_template(
        "admin/groups.html", working_groups=groups.structure(include_retired=True)
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
def group_form(group_id=None):
    group = _get_or_404(Group, group_id) if group_id else None
    form = GroupForm(_working_groups(exclude=group), obj=group if request.method == "GET" else None)
    if request.method == "GET" and group is not None:
        form.parent.data = group.parent.code if group.parent else ""
    stale = None
    if form.validate_on_submit():
        parent = auth.find_group(form.parent.data) if form.parent.data else None
        with saving(form) as done:
            if group is None:
                done.result = groups.create_group(
                    code=form.code.data, title=form.title.data, parent=parent,
                    description=form.description.data, is_active=form.is_active.data,
                    actor=current_user, now=utcnow())
            else:
                done.result = group
                groups.update_group(group, code=form.code.data, title=form.title.data,
                                    parent=parent, description=form.description.data,
                                    is_active=form.is_active.data, actor=current_user,
                                    now=utcnow(), expected_version=form.version.data)
        if done.saved:
            flash(_("%(code)s is saved.", code=done.result.code), "success")
            return redirect(url_for("admin.groups_list"))
        stale = done.stale
    if group is not None:
        form.version.data = group.version
    return render_template("admin/group_form.html", form=form, group=group,
                           stale=stale), 409 if stale else 200


# Participants and pledges


@bp.route("/participants")
def participants_list():
    sort = parse_sort(request.args, participants.DIRECTORY_SORTS, "name")
    page = paginate_list(participants.sort_directory(participants.directory(), sort),
                         per_page=current_app.config["PER_PAGE"])
    return render_template("admin/participants.html", page=page, sort=sort,
                           args=request.args)


@bp.route("/participants/new", methods=["GET", "POST"])
@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
def participant_form(participant_id=None):
    participant = _get_or_404(Participant, participant_id) if participant_id else None
    form = ParticipantForm(obj=participant if request.method == "GET" else None)
    if participant is not None:
        form.kind.data = participant.kind.value
        form.code.data = participant.code
        if participant.kind is ParticipantKind.country:
            form.name.data = participant.name
    stale = None
    if form.validate_on_submit():
        with saving(form) as done:
            if participant is None:
                done.result = participants.create_participant(
                    kind=form.kind.data, code=form.code.data, name=form.name.data,
                    is_core=form.is_core.data, joined_date=form.joined_date.data,
                    actor=current_user, now=utcnow(),
                )
            else:
                done.result = participant
                participants.update_participant(
                    participant, name=form.name.data, is_core=form.is_core.data,
                    joined_date=form.joined_date.data, actor=current_user,
                    now=utcnow(), expected_version=form.version.data,
                )
        if done.saved:
            flash(_("%(name)s is saved.", name=participant_name(done.result)), "success")
            return redirect(url_for("admin.participants_list"))
        stale = done.stale
    if participant is not None:
        form.version.data = participant.version
    from wg.pledge import services as pledge

    focal_points, people = [], []
    if participant is not None and participant.id:
        focal_points = pledge.focal_points_of(participant)
        people = db.session.scalars(select(Person).where(
            Person.participant_id == participant.id, Person.is_active_account.is_(True))
            .order_by(Person.name)).all()
    return render_template("admin/participant_form.html", form=form, participant=participant,
                           stale=stale, focal_points=focal_points,
                           people=people), 409 if stale else 200


@bp.route("/pledges")
def pledges():
    """Signatures are recorded on the Pledge's own page now (wg.pledge)."""
    return redirect(url_for("pledge.index", _anchor="record"), 301)
