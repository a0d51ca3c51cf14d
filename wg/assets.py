"""Light pages: compressed responses, and static files under content-hashed URLs cached for a year.

Every `url_for('static', ...)` (ours and Bootstrap-Flask's) gets `?v=<hash of the file>`; such a
request is answered with `Cache-Control: public, max-age=31536000, immutable`, so a repeat visit
fetches no CSS at all, and a changed file gets a new URL. HTML, JSON, CSV and calendar responses are
compressed (zstd, Brotli or gzip, whichever the browser accepts) by Flask-Compress.
"""

import hashlib
import os

from flask import current_app, request

from wg.extensions import compress

STATIC_ENDPOINTS = {"static": None, "bootstrap.static": "bootstrap"}
YEAR = 365 * 24 * 3600
_hashes = {}


def register(app):
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/csv", "text/calendar", "text/javascript",
        "application/javascript", "application/json", "application/problem+json",
        "image/svg+xml"])
    compress.init_app(app)

    @app.url_defaults
    def hashed_static_url(endpoint, values):
        if endpoint in STATIC_ENDPOINTS and "filename" in values and "v" not in values:
            digest = file_hash(endpoint, values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def cache_hashed_static(response):
        if request.endpoint in STATIC_ENDPOINTS and request.args.get("v") \
                and response.status_code in (200, 304):
            response.cache_control.public = True
            response.cache_control.no_cache = None
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response


def _static_folder(endpoint):
    blueprint = STATIC_ENDPOINTS[endpoint]
    if blueprint is None:
        return current_app.static_folder
    bp = current_app.blueprints.get(blueprint)
    return bp.static_folder if bp is not None else None


def file_hash(endpoint, filename):
    """The first 10 hex digits of the file's SHA-256 (recomputed when the file changes)."""
    folder = _static_folder(endpoint)
    if not folder:
        return None
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    digest = _hashes.get(key)
    if digest is None:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:10]
        _hashes[key] = digest
    return digest
