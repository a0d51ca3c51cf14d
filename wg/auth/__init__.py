from flask import Blueprint

bp = Blueprint("auth", __name__)

from wg.auth import sso, views  # noqa: E402,F401
