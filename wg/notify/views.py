from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wg import permissions
from wg.admin.forms import ConfirmForm
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.listing import paginate
from wg.notify import bp
from wg.notify import services as notify
from wg.notify.forms import PreferencesForm
from wg.notify.models import JobRun, OutboxMessage


@bp.route("/profile/notifications", methods=["GET", "POST"])
def preferences():
    prefs = notify.preferences_for(current_user)
    form = PreferencesForm(obj=prefs if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            notify.save_preferences(
                current_user, **{f: getattr(form, f).data for f in notify.DEFAULT_PREFERENCES}
            )
        except ValidationError as exc:
            db.session.rollback()
            exc.apply_to(form)
        else:
            db.session.commit()
            flash(_("Your e-mail settings are saved."), "success")
            return redirect(url_for("notify.preferences"))
    return render_template("notify/preferences.html", form=form)


@bp.route("/admin/outbox")
def outbox():
    permissions.require_coordinator(current_user)
    args = request.args
    query = notify.outbox_page(state=args.get("state"), kind=args.get("kind"),
                               q=(args.get("q") or "").strip()[:100] or None)
    page = paginate(query, per_page=current_app.config["PER_PAGE"])
    return render_template("notify/outbox.html", page=page, args=args, counts=notify.outbox_counts(),
                           kinds=notify.outbox_kinds(), confirm=ConfirmForm(),
                           state_labels=notify.STATE_LABELS,
                           smtp_configured=bool(current_app.config.get("SMTP_HOST")))


@bp.route("/admin/outbox/<int:message_id>")
def outbox_message(message_id):
    permissions.require_coordinator(current_user)
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("notify/message.html", message=message, confirm=ConfirmForm(),
                           state_labels=notify.STATE_LABELS)


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
def outbox_retry(message_id):
    permissions.require_coordinator(current_user)
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        if notify.retry_message(message, utcnow()):
            db.session.commit()
            flash(_("The message to %(recipient)s will be sent at the next delivery run.",
                    recipient=message.recipient), "success")
        else:
            flash(_("This message was already sent."), "warning")
    return redirect(url_for("notify.outbox_message", message_id=message.id))


@bp.route("/admin/jobs")
def jobs():
    from wg.notify.scheduler import job_list  # APScheduler: loaded by this page only

    permissions.require_coordinator(current_user)
    runs = {r.name: r for r in db.session.query(JobRun)}
    return render_template("notify/jobs.html", jobs=job_list(current_app.config), runs=runs)
