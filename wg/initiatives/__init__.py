from flask import Blueprint

# The views are imported by wg.register_blueprints, not here: wg.meetings.models imports
# wg.decisions.models, and importing the views with the package would be circular.
bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")
