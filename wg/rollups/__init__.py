from flask import Blueprint

bp = Blueprint("rollups", __name__, url_prefix="/rollups")

from wg.rollups import views  # noqa: E402,F401
