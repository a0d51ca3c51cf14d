"""Coordinator pages: people, roles, groups, participants and pledges."""

from flask import Blueprint
from flask_login import current_user

from wg import permissions

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def coordinators_only():
    permissions.require_coordinator(current_user)


from wg.admin import views  # noqa: E402,F401
