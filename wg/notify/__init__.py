"""Outgoing mail and scheduled jobs: the outbox, preferences and the scheduler."""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from wg.notify import views  # noqa: E402,F401
