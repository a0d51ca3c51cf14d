"""History: an append-only record of every change, written by the service that makes it."""

from flask import Blueprint

bp = Blueprint("history", __name__)

from wg.history import views  # noqa: E402,F401
