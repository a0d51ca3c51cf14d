"""Single sign-on with OpenID Connect (Authlib), configured by the environment.

OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET turn it on; the provider's endpoints come
from its discovery document (<issuer>/.well-known/openid-configuration). Authlib checks the
state (against the session), the nonce and the ID token's signature, issuer and audience.

A person is matched by the e-mail address the provider says it VERIFIED (email_verified true);
nobody is created unless OIDC_CREATE_PEOPLE is on (then with OIDC_NEW_PEOPLE_PARTICIPANT as
their country or organization, which a coordinator corrects); inactive people are refused.
"""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from wg.auth import bp
from wg.auth import services as auth
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db

NEXT_KEY = "wg_sso_next"
ZONE_KEY = "wg_sso_zone"


def is_configured(config=None):
    config = config if config is not None else current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def provider_name(config=None):
    config = config if config is not None else current_app.config
    return config.get("OIDC_PROVIDER_NAME") or _("single sign-on")


def password_login_enabled(config=None):
    config = config if config is not None else current_app.config
    return bool(config.get("PASSWORD_LOGIN", True))


def _oauth_error():
    """Authlib's error class, imported where single sign-on is used: Authlib (with requests and
    cryptography) is ~17 MB in every web worker, and most coalitions log in by password."""
    from authlib.integrations.base_client.errors import OAuthError

    return OAuthError


def _client():
    """The Authlib client for the configured provider (made once per issuer and client)."""
    from authlib.integrations.flask_client import OAuth

    config = current_app.config
    key = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config.get("OIDC_CLIENT_SECRET"))
    cache = current_app.extensions.setdefault("wg_oidc", {})
    if key not in cache:
        oauth = OAuth(current_app)
        issuer = config["OIDC_ISSUER"].rstrip("/")
        cache[key] = oauth.register(
            f"oidc{len(cache)}", client_id=config["OIDC_CLIENT_ID"],
            client_secret=config.get("OIDC_CLIENT_SECRET"),
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "timeout": 10})
    return cache[key]


def person_for_claims(claims, now, *, create=False, participant_code=None):
    """The active person the provider's claims name, or ValidationError saying why not.

    Only an address the provider verified counts; an unknown address is refused unless
    `create` (then the person is made, with history, in `participant_code`).
    """
    email = auth.normalize_email(claims.get("email"))
    if not email:
        raise ValidationError(_("The sign-on provider did not give an e-mail address."))
    if claims.get("email_verified") is not True:
        raise ValidationError(_("The sign-on provider has not verified the address %(email)s, "
                                "so it cannot be used to log in.", email=email))
    person = auth.find_person_by_email(email)
    if person is None:
        participant = auth.find_participant(participant_code) if participant_code else None
        if not create or participant is None:
            raise ValidationError(_("There is no account for %(email)s. Ask a coordinator to "
                                    "add you.", email=email))
        name = (claims.get("name") or email.partition("@")[0]).strip()[:200]
        person = auth.create_person(name=name, email=email, participant=participant, now=now)
    if not person.is_active_account:
        raise ValidationError(_("This account is deactivated. Ask a coordinator."))
    person.last_login_at = now
    return person


def _refuse(message, status):
    from wg.auth.forms import LoginForm

    return render_template("auth/login.html", form=LoginForm(), error=message), status


@bp.route("/login/sso")
def sso_login():
    """Send the browser to the provider; `next` (a local path only) is kept for the return."""
    if not is_configured():
        return _refuse(_("Single sign-on is not configured."), 404)
    if current_user.is_authenticated:
        return redirect(auth.safe_next_url(request.args.get("next")) or url_for("core.home"))
    session[NEXT_KEY] = auth.safe_next_url(request.args.get("next"))
    # The browser's zone (added to the link by static/js/tz.js), checked at the callback: a person
    # whose zone nobody chose takes it, as with the password log-in.
    session[ZONE_KEY] = (request.args.get("zone") or "")[:64]
    try:
        return _client().authorize_redirect(url_for("auth.sso_callback", _external=True))
    except (_oauth_error(), OSError, ValueError) as exc:
        current_app.logger.warning("sso: provider unreachable: %s", exc)
        return _refuse(_("The sign-on provider cannot be reached; try again later."), 503)


@bp.route("/login/sso/callback")
def sso_callback():
    if not is_configured():
        return _refuse(_("Single sign-on is not configured."), 404)
    try:
        token = _client().authorize_access_token()
    except (_oauth_error(), OSError, ValueError, KeyError) as exc:
        current_app.logger.info("sso: refused answer: %s", exc)
        return _refuse(_("The sign-on did not complete (it may have expired); try again."), 400)
    claims = dict(token.get("userinfo") or {})
    config = current_app.config
    try:
        person = person_for_claims(claims, utcnow(), create=bool(config.get("OIDC_CREATE_PEOPLE")),
                                   participant_code=config.get("OIDC_NEW_PEOPLE_PARTICIPANT"))
    except ValidationError as exc:
        db.session.rollback()
        return _refuse(str(exc), 403)
    auth.adopt_browser_zone(person, session.pop(ZONE_KEY, None), utcnow())
    db.session.commit()
    login_user(person)
    flash(_("Welcome, %(name)s.", name=person.name), "success")
    return redirect(session.pop(NEXT_KEY, None) or url_for("core.home"))
