"""The Coalition Pledge: commitments, signatures, the campaign, implementation, focal points."""

from flask import Blueprint

bp = Blueprint("pledge", __name__)

from wg.pledge import labels, views  # noqa: E402,F401
