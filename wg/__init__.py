"""The coalition working-group tracker: create_app() builds the Flask application."""

import logging
import os
import re

from flask import Flask, Request, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter as WerkzeugIntegerConverter

from wg import permissions
from wg.config import Config, load_secret_key, normalize_database_url
from wg.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None):
    app = Flask(
        __name__,
        instance_path=os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.url_map.converters["int"] = IntegerConverter
    app.request_class = WgRequest
    register_config(app, config)
    if app.config.get("TRUSTED_PROXIES"):
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_query_counter(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_config(app, config):
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(config or Config())
    app.config.from_pyfile("config.py", silent=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "wg.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
        # A longer busy timeout lets concurrent writers wait instead of failing.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database that accepts connections but never answers must not hold a worker forever:
        # connecting gives up after DATABASE_CONNECT_TIMEOUT s, a statement after
        # DATABASE_STATEMENT_TIMEOUT ms (the health check uses a much shorter one).
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
        # libpq takes one `options`: keep the URL's own (e.g. a search_path) beside ours.
        from sqlalchemy.engine import make_url

        url_options = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query.get("options")
        if isinstance(url_options, tuple):
            url_options = " ".join(url_options)
        connect_args.setdefault("options", " ".join(filter(None, [
            url_options,
            f"-c statement_timeout={app.config['DATABASE_STATEMENT_TIMEOUT']}"])))
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _create_private_sqlite_file(url):
    """The SQLite file holds every person's data: create it owner-only (0600)."""
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if os.path.exists(path):
        try:
            os.chmod(path, 0o600)  # an older, world-readable file is made private
        except OSError:
            pass
        return
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return  # a missing directory stays missing: the health check reports it
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: write-ahead log for concurrent readers, and enforced foreign keys."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def register_extensions(app):
    db.init_app(app)
    # Flask-Migrate and Alembic (~11 MB) are imported when first used (`flask db ...`, tests):
    # never in a web worker. Alembic announces its plugins at import: not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    from wg import assets

    assets.register(app)
    from wg.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=os.path.join(ROOT, "wg", "translations"))
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    # Importing the models registers them on the metadata (migrations compare against it).
    from wg import models  # noqa: F401

    @login_manager.user_loader
    def load_person(session_id):
        """A session is valid only while its generation is the person's current one."""
        from wg.auth.services import person_for_session_id

        return person_for_session_id(session_id)

    @login_manager.request_loader
    def load_remembered(req):
        """Remember-me: a random token whose hash is in remember_tokens, not expired."""
        from flask_login import login_user

        from wg.auth.services import person_for_remember_token
        from wg.db_types import utcnow

        token = req.cookies.get(app.config["WG_REMEMBER_COOKIE"])
        person = person_for_remember_token(token, utcnow()) if token else None
        if person is not None:
            login_user(person)
        return person


def register_blueprints(app):
    from wg.actions import bp as actions_bp
    from wg.admin import bp as admin_bp
    from wg.api import register as register_api
    from wg.auth import bp as auth_bp
    from wg.core import bp as core_bp
    from wg.groups import bp as groups_bp
    from wg.history import bp as history_bp
    from wg.meetings import bp as meetings_bp
    from wg.notify import bp as notify_bp
    from wg.participants import bp as participants_bp
    from wg.pledge import bp as pledge_bp
    from wg.rollups import bp as rollups_bp
    from wg.webhooks import bp as webhooks_bp

    for bp in (core_bp, auth_bp, groups_bp, participants_bp, admin_bp, meetings_bp, actions_bp,
               rollups_bp, notify_bp, history_bp, webhooks_bp, pledge_bp):
        app.register_blueprint(bp)
    # The coalition's own records (issue 14).
    from wg.decisions import bp as decisions_bp
    from wg.decisions import views as _decision_views  # noqa: F401  (routes on the blueprint)
    from wg.initiatives import bp as initiatives_bp
    from wg.initiatives import views as _initiative_views  # noqa: F401

    app.register_blueprint(initiatives_bp)
    app.register_blueprint(decisions_bp)
    from wg.search import bp as search_bp

    app.register_blueprint(search_bp)

    from wg.documents import bp as documents_bp
    from wg.documents import views as _document_views  # noqa: F401

    app.register_blueprint(documents_bp)
    register_api(app)  # the REST API under /api/v1 and the token pages


# Integer inputs beyond this are refused (PostgreSQL BIGINT/INTEGER would raise on them).
MAX_INT = 2**31 - 1
# Query/form keys that carry ids or counters: they must be small ASCII integers when numeric.
_INTLIKE_KEY = re.compile(r"(^|_)(id|ids|page|per_page|version|owner|participant|meeting|"
                          r"person|weight|progress|item|action|decision)$")
_ASCII_INT = re.compile(r"[+-]?[0-9]+")


# No inline script anywhere (scripts are files under /static); styles come from our own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "interest-cohort=()")


def _same_site_referrer():
    """The page the request came from, as a path on this site (None from anywhere else)."""
    from urllib.parse import urlsplit

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    path = referrer.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{referrer.query}" if referrer.query else "")


class WgRequest(Request):
    """Bodies over MAX_CONTENT_LENGTH answer 413 before they are read; upload routes allow more."""

    def _upload_limit(self):
        if self.endpoint in current_app.config.get("DOCUMENT_UPLOAD_ENDPOINTS", ()):
            return current_app.config.get("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024) + 64 * 1024
        if self.endpoint in current_app.config.get("UPLOAD_ENDPOINTS", ()):
            return current_app.config.get("UPLOAD_MAX_CONTENT_LENGTH")
        return None

    @property
    def max_content_length(self):
        return self._upload_limit() or super().max_content_length

    @property
    def max_form_memory_size(self):
        return self._upload_limit() or super().max_form_memory_size


class IntegerConverter(WerkzeugIntegerConverter):
    """<int:...> routes: an id beyond MAX_INT is simply not found (404), never a 500.

    (Same class name as Werkzeug's, so code that looks converters up by name still works.)
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_INT if max is None else max, signed=signed)


def _bad_input(values):
    """Why a multi-dict of request input is refused (None when it is fine)."""
    for key, value in values.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return "NUL bytes are not allowed in requests."
        if _INTLIKE_KEY.search(key.lower()):
            stripped = value.strip()
            if _ASCII_INT.fullmatch(stripped) and abs(int(stripped)) > MAX_INT:
                return f"The number in {key!r} is too large."
            if any(ch.isdigit() and not ch.isascii() for ch in stripped):
                return f"{key!r} must be written with the digits 0-9."
    return None


def register_request_hooks(app):
    @app.before_request
    def refuse_hostile_input():
        """One place for input no view can use: NUL bytes, huge or non-ASCII numbers (400)."""
        if "\x00" in request.path:
            abort(400)
        problem = _bad_input(request.args)
        if problem is None and request.method in ("POST", "PUT", "PATCH", "DELETE") \
                and request.mimetype in ("application/x-www-form-urlencoded",
                                         "multipart/form-data"):
            problem = _bad_input(request.form)
        if problem:
            abort(400, description=problem)
        return None

    @app.before_request
    def require_login():
        """Every endpoint not on the public list needs a logged-in, active person."""
        if request.endpoint is None or permissions.is_public_endpoint(request.endpoint) \
                or permissions.is_token_endpoint(request.endpoint):
            return None
        if current_user.is_authenticated:
            return None
        if _wants_json():
            from flask import jsonify

            return jsonify(error="login required"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response


def register_query_counter(app):
    """With QUERY_COUNT_HEADER on (WG_QUERY_COUNT_HEADER=1), answer X-Query-Count per request.

    The benchmark reads it; it stays off in normal operation.
    """
    if not (app.config.get("QUERY_COUNT_HEADER") or os.environ.get("WG_QUERY_COUNT_HEADER")):
        return
    from flask import g

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        try:
            g.query_count = g.get("query_count", 0) + 1
        except RuntimeError:  # outside a request or app context
            pass

    @app.after_request
    def add_header(response):
        from flask import g

        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response


def _wants_json():
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"
    ]


def register_errorhandlers(app):
    from flask import jsonify, render_template
    from flask_wtf.csrf import CSRFError

    messages = {
        400: lazy_gettext("The request could not be understood."),
        403: lazy_gettext("You do not have permission to see or change this."),
        404: lazy_gettext("There is nothing here."),
        405: lazy_gettext("This address does not accept that kind of request."),
        413: lazy_gettext("The upload is too large."),
        429: lazy_gettext("Too many attempts. Please wait a moment and try again."),
        500: lazy_gettext("Something went wrong on our side. The secretariat has been told."),
    }

    def render_error(code, message=None, back=None):
        if request.path.startswith("/api/"):  # the API answers problem+json (RFC 9457)
            from wg.api.problems import problem

            return problem(code)
        message = str(message or messages.get(code) or lazy_gettext("Error"))
        if _wants_json():
            return jsonify(error=message, status=code), code
        template = f"errors/{code}.html" if code in (403, 404, 500) else "errors/generic.html"
        return render_template(template, code=code, message=message, back=back), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, lazy_gettext("The form expired or was not sent from this site. "
                                              "Please go back, reload the page and try again."))

    @app.errorhandler(413)
    def too_large(error):
        if request.endpoint not in app.config.get("DOCUMENT_UPLOAD_ENDPOINTS", ()):
            return render_error(413)
        # A document over the limit: say the limit, and lead back to the page it came from.
        limit = app.config.get("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024) // (1024 * 1024)
        return render_error(413, lazy_gettext(
            "The file is too large: documents may be at most %(size)s MB. Nothing was uploaded.",
            size=limit), back=_same_site_referrer())

    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)


def register_template_helpers(app):
    from wg import form_errors, formatting, kept, stamps
    from wg.history import services as history

    app.jinja_env.globals.update(permissions.JINJA_GLOBALS)
    # Forms included in other features' pages (the meeting page's "Record a decision").
    from wg.idempotency import new_key

    app.jinja_env.globals["new_idempotency_key"] = new_key
    from wg.initiatives.services import initiatives_of_action

    app.jinja_env.globals["initiatives_of_action"] = initiatives_of_action
    app.jinja_env.globals.update(history_changes=history.changes_of,
                                 history_field_label=history.field_label,
                                 history_actor=history.actor_display,
                                 history_display=history.display_value,
                                 history_value=history.value_label,
                                 history_names=history.reference_names,
                                 history_verb_label=history.verb_label,
                                 history_object_type=history.object_type_label)
    formatting.register(app)
    form_errors.register(app)
    kept.register(app)
    stamps.register(app)


def register_cli(app):
    from wg.cli import wg_cli

    app.cli.add_command(wg_cli)
