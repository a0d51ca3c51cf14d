"""Webhook pages: list, subscribe (secret shown once), edit, pause/resume, delete, test ping,
and each subscription's deliveries with their attempts."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from wg import idempotency, permissions
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.history.services import StaleEdit
from wg.webhooks import bp
from wg.webhooks import services as webhooks
from wg.webhooks.delivery import REPLAY_WINDOW
from wg.webhooks.forms import ButtonForm, SubscriptionForm

CREATE_SCOPE = "webhooks.create"
PING_SCOPE = "webhooks.ping"


def _allow_private():
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES"))


def _group_choices(person):
    """(value, label) of the groups the person may subscribe to; "" is every group."""
    if permissions.is_coordinator(person):
        groups = db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()
        return [("", _("All groups"))] + [(str(g.id), f"{g.code} {g.title}") for g in groups]
    groups = db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.person_id == person.id, Membership.role == Role.chair)
        .order_by(Group.position, Group.code)).all()
    return [(str(g.id), f"{g.code} {g.title}") for g in groups]


def _chosen_group(person, value):
    """The group picked on the form (None: all groups), after the permission check."""
    group = None
    if value:
        value = str(value)
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            raise ValidationError({"group": _("Choose a group from the list.")})
        group = db.session.get(Group, int(value))
        if group is None:
            raise ValidationError({"group": _("Choose a group from the list.")})
    if not permissions.can_subscribe_webhooks(person, group):
        raise ValidationError({"group": _("You may subscribe only to the groups you chair.")})
    return group


def _errors_to_form(exc, form):
    for message in exc.apply_to(form):
        flash(message, "danger")


@bp.route("")
def index():
    permissions.require_webhooks(current_user)
    everyone = permissions.is_coordinator(current_user)
    return render_template("webhooks/list.html",
                           subscriptions=webhooks.subscriptions_for(current_user,
                                                                    everyone=everyone),
                           everyone=everyone, events=webhooks.EVENTS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    permissions.require_webhooks(current_user)
    form = SubscriptionForm()
    form.group.choices = _group_choices(current_user)
    status = 200
    if request.method == "GET":
        form.key.data = idempotency.new_key()
    elif form.validate_on_submit():
        now = utcnow()
        try:
            group = _chosen_group(current_user, form.group.data)
            sub, secret = webhooks.create_subscription(
                current_user, form.url.data, form.events.data, group, form.description.data,
                now, allow_private=_allow_private())
            # Claimed after the write: on SQLite a savepoint opened first would commit the
            # key by itself, and a refused form would then use it up.
            idempotency.claim_or_raise(form.key.data, current_user, CREATE_SCOPE, now)
            idempotency.remember(form.key.data, f"webhook:{sub.id}")
        except idempotency.AlreadyDone as exc:
            db.session.rollback()
            ref = exc.result_ref.partition(":")[2]
            flash(_("This subscription was already created (its secret was shown then)."),
                  "info")
            if ref.isdigit():
                return redirect(url_for("webhooks.detail", subscription_id=int(ref)))
            return redirect(url_for("webhooks.index"))
        except ValidationError as exc:
            db.session.rollback()
            _errors_to_form(exc, form)
            status = 422
        else:
            db.session.commit()
            return _detail_page(sub, secret=secret, status=201)
    else:
        status = 422
    return render_template("webhooks/form.html", form=form, subscription=None), status


def _detail_page(sub, *, secret=None, stale=None, status=200):
    return render_template("webhooks/detail.html", subscription=sub, secret=secret,
                           stale=stale, deliveries=webhooks.deliveries_of(sub),
                           events=webhooks.EVENTS, buttons=ButtonForm(formdata=None),
                           ping_key=idempotency.new_key(),
                           replay_minutes=int(REPLAY_WINDOW.total_seconds() // 60)), status


@bp.route("/<int:subscription_id>")
def detail(subscription_id):
    sub = permissions.webhook_for_view(current_user, subscription_id)
    return _detail_page(sub)


@bp.route("/<int:subscription_id>/edit", methods=["GET", "POST"])
def edit(subscription_id):
    sub = permissions.webhook_for_view(current_user, subscription_id)
    form = SubscriptionForm(obj=sub if request.method == "GET" else None)
    form.group.choices = _group_choices(current_user)
    stale, status = None, 200
    if request.method == "GET":
        form.events.data = sub.event_list
        form.version.data = sub.version
    elif form.validate_on_submit():
        try:
            webhooks.update_subscription(sub, current_user, form.url.data, form.events.data,
                                         form.description.data, utcnow(), form.version.data,
                                         allow_private=_allow_private())
        except StaleEdit as exc:
            db.session.rollback()
            stale, status = exc, 409
            form.version.data = db.session.get(type(sub), sub.id).version
        except ValidationError as exc:
            db.session.rollback()
            _errors_to_form(exc, form)
            status = 422
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("webhooks.detail", subscription_id=sub.id))
    else:
        status = 422
    return render_template("webhooks/form.html", form=form, subscription=sub,
                           stale=stale), status


def _button(subscription_id, call, done_message):
    """Run one button's service call: 409 with the current page when stale."""
    sub = permissions.webhook_for_view(current_user, subscription_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = call(sub, form, utcnow())
    except StaleEdit as exc:
        db.session.rollback()
        return _detail_page(db.session.get(type(sub), subscription_id), stale=exc, status=409)
    except idempotency.AlreadyDone:
        db.session.rollback()
        return redirect(url_for("webhooks.detail", subscription_id=subscription_id))
    db.session.commit()
    flash(done_message, "success")
    return result or redirect(url_for("webhooks.detail", subscription_id=subscription_id))


@bp.route("/<int:subscription_id>/pause", methods=["POST"])
def pause(subscription_id):
    return _button(subscription_id, lambda sub, form, now: webhooks.set_active(
        sub, current_user, False, now, form.version.data) and None,
        _("Paused: events wait until you resume."))


@bp.route("/<int:subscription_id>/resume", methods=["POST"])
def resume(subscription_id):
    return _button(subscription_id, lambda sub, form, now: webhooks.set_active(
        sub, current_user, True, now, form.version.data) and None, _("Resumed."))


@bp.route("/<int:subscription_id>/delete", methods=["POST"])
def delete(subscription_id):
    def call(sub, form, now):
        webhooks.delete_subscription(sub, current_user, now, form.version.data)
        return redirect(url_for("webhooks.index"))

    return _button(subscription_id, call, _("Subscription deleted."))


@bp.route("/<int:subscription_id>/ping", methods=["POST"])
def ping(subscription_id):
    def call(sub, form, now):
        webhooks.send_ping(sub, now)
        idempotency.claim_or_raise(form.key.data, current_user, PING_SCOPE, now)

    return _button(subscription_id, call,
                   _("A test event is queued; it is sent within a minute."))
