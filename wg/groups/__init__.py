from flask import Blueprint

bp = Blueprint("groups", __name__)

from wg.groups import views  # noqa: E402,F401
