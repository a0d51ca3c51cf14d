from flask import Blueprint

# The views are imported by wg.register_blueprints (they import the parents' models).
bp = Blueprint("documents", __name__, url_prefix="/documents")
