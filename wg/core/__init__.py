from flask import Blueprint

bp = Blueprint("core", __name__)

from wg.core import views  # noqa: E402,F401
