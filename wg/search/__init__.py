"""Search across the coalition's records (issue 14): one index table, kept in the same
transaction as the records (wg/search/index.py), queried with FTS5 or PostgreSQL full text."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from wg.search import views  # noqa: E402,F401  (routes on the blueprint)
