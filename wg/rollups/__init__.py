from flask import Blueprint

bp = Blueprint("rollups", __name__, url_prefix="/rollups")

from wg.rollups import fragments, views  # noqa: E402,F401

bp.add_app_template_global(fragments.not_reported, "kept_not_reported")
