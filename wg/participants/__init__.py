from flask import Blueprint

bp = Blueprint("participants", __name__)

from wg.participants import views  # noqa: E402,F401
