"""REST API under /api/v1, documented by an OpenAPI 3.1 document built from the code.

Library: flask-smorest (marshmallow schemas, webargs parsing, apispec). It works on our plain
Flask app and blueprints, so the API reuses the same services, permission loaders and
Flask-Limiter as the pages; APIFlask would have replaced the Flask class itself. Two of its
defaults are changed: it does not register its app-wide HTTPException handler (our HTML pages
keep their HTML error pages; the API blueprint has its own problem+json handlers), and the
document and docs page are served by our own routes (no CDN).

Authentication is by personal access token only (`Authorization: Bearer ...`); the session
cookie is ignored here, so the API needs no CSRF token.
"""

from flask import current_app, g, request
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import HTTPException

from wg.api.problems import from_exception, problem
from wg.extensions import csrf, db, limiter

bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                  description="The coalition tracker's REST API")

# The two API addresses that answer without a token (also in permissions.PUBLIC_ENDPOINTS).
OPEN_ENDPOINTS = ("api.openapi_json", "api.docs")
MAX_BODY = 256 * 1024  # the largest write (an action with a long description) is far smaller
ERROR_CODES = (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 500)


class WgApi(Api):
    """flask-smorest's Api without its app-wide HTTPException handler (see the module text)."""

    def _register_error_handlers(self):
        pass


def _current_token():
    """The token of this request (authenticated once per request), or None."""
    # Cached in the request's environ, not on g: g outlives a request when tests (or jobs)
    # hold an application context around several requests.
    key = "wg.api_token"
    if key not in request.environ:
        from wg.api.tokens import authenticate
        from wg.db_types import utcnow

        request.environ[key] = authenticate(request.headers.get("Authorization"), utcnow())
    return request.environ[key]


def _rate_key():
    token = _current_token() if request.endpoint not in OPEN_ENDPOINTS else None
    if token is None:
        return "api-anon:" + (request.remote_addr or "?")
    return f"api-token:{token.id}:{token.prefix}"


def _rate_limit():
    return current_app.config.get("API_RATE_LIMIT", "600 per minute")


@bp.before_request
def authenticate_token():
    """Every API endpoint but the document needs a usable token; cookies do not count."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    token = _current_token()
    if token is not None and any(isinstance(v, int) and not 0 < v < 2**31
                                 for v in (request.view_args or {}).values()):
        return problem(404)
    if token is None:
        return problem(401)
    g.api_token = token
    g.api_person = token.person
    if request.method in ("POST", "PUT", "PATCH"):
        if (request.content_length or 0) > MAX_BODY:
            return problem(413)
        # A body must be JSON; a bodiless POST (publishing an agenda) needs no type.
        has_body = bool(request.content_length) or bool(request.mimetype)
        if has_body and request.mimetype != "application/json":
            return problem(415)
    return None


def _handle(error):
    db.session.rollback()
    if not isinstance(error, HTTPException):
        current_app.logger.exception("API error")
        return problem(400, "The request could not be processed.")
    return from_exception(error)


for _code in ERROR_CODES:
    bp.register_error_handler(_code, _handle)
bp.register_error_handler(HTTPException, _handle)


def register(app):
    """Bind the API to the app: its settings, the blueprint, CSRF exemption and rate limit."""
    from wg.api import meeting_writes, pages, views  # noqa: F401  (routes)

    app.config.setdefault("API_TITLE", "Coalition working-group tracker API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    })
    api = WgApi()
    from wg.api.schemas import ProblemSchema

    api.ERROR_SCHEMA = ProblemSchema
    api.init_app(app)
    app.extensions["wg_api"] = api
    csrf.exempt(bp)
    if not getattr(bp, "_wg_limited", False):
        limiter.limit(_rate_limit, key_func=_rate_key)(bp)
        bp._wg_limited = True
    api.register_blueprint(bp)
    app.register_blueprint(pages.bp)

