"""Webhooks: other systems subscribe a URL to the coalition's events (signed JSON POSTs)."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from wg.webhooks import views  # noqa: E402,F401
