"""The token pages: /profile/tokens (one's own) and /admin/tokens (coordinators)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from wg import permissions
from wg.api import tokens
from wg.api.models import ApiToken
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db

bp = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("Name"),
                       validators=[DataRequired(message=_l("Give the token a name.")),
                                   Length(max=100)],
                       description=_l("Which system uses it, e.g. \"UNODC early warning sync\"."))
    scopes = SelectField(_l("Access"), choices=[("read", _l("Read")),
                                                ("read write", _l("Read and write"))],
                         default="read")
    expires_in_days = SelectField(_l("Expires"), choices=[("30", _l("In 30 days")),
                                                          ("90", _l("In 90 days")),
                                                          ("365", _l("In a year")),
                                                          ("never", _l("Never"))], default="90")


@bp.route("/profile/tokens", methods=["GET", "POST"])
def mine():
    form = TokenForm()
    secret = None
    status = 200
    if form.validate_on_submit():
        days = None if form.expires_in_days.data == "never" else int(form.expires_in_days.data)
        try:
            token, secret = tokens.create_token(current_user, current_user, form.name.data,
                                                form.scopes.data, days, utcnow())
            db.session.commit()
            form = TokenForm(formdata=None)
        except ValidationError as exc:
            for message in exc.apply_to(form):
                flash(message, "danger")
            status = 422
    elif form.is_submitted():
        status = 422
    return render_template("api/tokens.html", form=form, secret=secret,
                           tokens=tokens.tokens_of(current_user), now=utcnow()), status


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_mine(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != current_user.id:
        abort(404)
    tokens.revoke_token(token, current_user, utcnow())
    db.session.commit()
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.mine"))


@bp.route("/admin/tokens")
def admin():
    permissions.require_coordinator(current_user)
    from wg.listing import paginate

    page = paginate(tokens.all_tokens_query())
    return render_template("api/admin_tokens.html", page=page, now=utcnow())


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
def admin_revoke(token_id):
    permissions.require_coordinator(current_user)
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    tokens.revoke_token(token, current_user, utcnow())
    db.session.commit()
    flash(_("Token “%(name)s” of %(person)s revoked.", name=token.name,
            person=token.person.name), "success")
    return redirect(url_for("api_tokens.admin"))
