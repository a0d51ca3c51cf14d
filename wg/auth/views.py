from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from wg.auth import bp
from wg.auth import services as auth
from wg.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    PreferencesForm,
    SetPasswordForm,
)
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db, limiter
from wg.history import services as history

GENERIC_LOGIN_ERROR = "That e-mail and password do not match an active account."  # in English


def _generic_login_error():
    return _("That e-mail and password do not match an active account.")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_email_key():
    # Per (address, account): someone elsewhere cannot lock an account by failing on purpose.
    return f"login:{get_remote_address()}:{auth.normalize_email(request.form.get('email'))}"


def _failed(response):
    # Only failed attempts count towards the limits; a successful login redirects.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit("5 per minute", key_func=_login_address_email_key, methods=["POST"],
               deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(auth.safe_next_url(request.args.get("next")) or url_for("core.home"))
    form = LoginForm()
    error = None
    if request.method == "POST" and not current_app.config.get("PASSWORD_LOGIN", True):
        return render_template("auth/login.html", form=form,
                               error=_("Password login is turned off; use single sign-on.")), 403
    if form.validate_on_submit():
        person = auth.authenticate(form.email.data, form.password.data, now=utcnow())
        if person is not None:
            login_user(person)
            auth.adopt_browser_zone(person, form.browser_zone.data, utcnow())
            token = None
            if form.remember.data:
                token = auth.create_remember_token(person, utcnow(),
                                                   days=current_app.config["REMEMBER_DAYS"])
            db.session.commit()
            response = redirect(auth.safe_next_url(request.args.get("next"))
                                or url_for("core.home"))
            if token:
                _set_remember_cookie(response, token)
            return response
        error = _generic_login_error()
    elif request.method == "POST":
        error = _generic_login_error() if not form.csrf_token.errors else None
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    # CSRFProtect guards the POST, so another site cannot log people out.
    if request.method == "POST":
        auth.revoke_remember_token(request.cookies.get(current_app.config["WG_REMEMBER_COOKIE"]))
        db.session.commit()
        logout_user()
        flash(_("You are logged out."), "success")
        response = redirect(url_for("auth.login"))
        _delete_remember_cookie(response)
        return response
    return render_template("auth/logout.html")


@bp.route("/profile/logout-others", methods=["POST"])
@login_required
def logout_others():
    """End every other session and remember-me login of this person; this one stays."""
    person = current_user._get_current_object()
    auth.end_sessions(person)
    db.session.commit()
    login_user(person)
    flash(_("Your other sessions are logged out."), "success")
    response = redirect(url_for("auth.profile"))
    _delete_remember_cookie(response)
    return response


def _set_remember_cookie(response, token):
    config = current_app.config
    response.set_cookie(config["WG_REMEMBER_COOKIE"], token,
                        max_age=config["REMEMBER_DAYS"] * 86400, httponly=True,
                        secure=config.get("SESSION_COOKIE_SECURE", False), samesite="Lax")


def _delete_remember_cookie(response):
    config = current_app.config
    response.delete_cookie(config["WG_REMEMBER_COOKIE"], httponly=True,
                           secure=config.get("SESSION_COOKIE_SECURE", False), samesite="Lax")


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        auth.request_password_reset(
            form.email.data, now=utcnow(), base_url=current_app.config["BASE_URL"]
        )
        db.session.commit()
        flash(
            _("If this address belongs to an account, a link to set a new password is on its way. "
              "It works once and expires in 48 hours."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    try:
        person = auth.person_for_password_token(token)
    except ValidationError as exc:
        return render_template("auth/link_invalid.html", message=exc.errors[None]), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            auth.set_password(person, form.password.data)
        except ValidationError as exc:
            exc.apply_to(form)
        else:
            db.session.commit()
            logout_user()
            login_user(person)
            flash(_("Your password is set. Welcome."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/set_password.html", form=form, person=person)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    prefs = PreferencesForm(prefix="prefs", obj=current_user if request.method == "GET" else None,
                            person=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    status = 200
    if prefs.submit.data and prefs.validate_on_submit():
        try:
            auth.update_preferences(
                current_user, timezone=prefs.timezone.data, language=prefs.language.data,
                actor=current_user, now=utcnow(), expected_version=prefs.version.data,
            )
        except history.StaleEdit as exc:
            db.session.rollback()
            flash(exc.describe(), "warning")
            status = 409
        except ValidationError as exc:
            db.session.rollback()
            exc.apply_to(prefs)
        else:
            db.session.commit()
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("auth.profile"))
    elif password_form.submit.data and password_form.validate_on_submit():
        try:
            auth.change_password(
                current_user, password_form.current_password.data, password_form.password.data
            )
        except ValidationError as exc:
            db.session.rollback()
            exc.apply_to(password_form)
        else:
            db.session.commit()
            login_user(current_user)  # keep this session valid after the change
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    prefs.version.data = current_user.version
    return render_template("auth/profile.html", prefs=prefs,
                           password_form=password_form), status
