"""Idempotency-Key on POST: the first answer is stored with the write and replayed to repeats.

The answers live in the one idempotency table that forms use too (wg/idempotency.py).
"""

import hashlib
import json

from flask import Response, abort, g, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from wg import idempotency
from wg.api.problems import problem
from wg.extensions import db
from wg.history import services as history

MAX_KEY = 200
REPLAYED_HEADERS = ("ETag", "Location", "Content-Type")


def claim(key, person, scope, now):
    """The stored answer for (person, key), or None when the key is new."""
    return idempotency.stored_answer(key, person)


def _store(key, person, scope, request_hash, response, now):
    headers = {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}
    idempotency.store_answer(key, person, scope, request_hash, response.status_code,
                             response.get_data(as_text=True), json.dumps(headers), now)


def _replay(stored, request_hash):
    if stored.request_hash != request_hash or stored.status_code is None:
        return problem(422, "This Idempotency-Key was already used for a different request.",
                       errors={"Idempotency-Key": ["Already used for another request."]})
    response = Response(stored.body, status=stored.status_code)
    for key, value in json.loads(stored.headers or "{}").items():
        response.headers[key] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def run_write(person, now, write):
    """Run `write()` (which returns a Response and leaves its changes uncommitted) once per
    Idempotency-Key, and commit; a repeat of the key answers the stored first response. The
    history entries it writes name the request's token."""
    with history.acting_token(getattr(g, "api_token", None)):
        return _run_write(person, now, write)


def _run_write(person, now, write):
    key = request.headers.get("Idempotency-Key")
    if key is None or request.method != "POST":
        response = write()
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable() or not key.isascii():
        abort(400, description="Idempotency-Key must be 1 to 200 printable ASCII characters.")
    scope = f"{request.method} {request.path}"
    request_hash = hashlib.sha256(scope.encode() + b"\n" + request.get_data()).hexdigest()
    stored = claim(key, person, scope, now)
    if stored is not None:
        return _replay(stored, request_hash)
    try:
        response = write()
    except HTTPException:
        # A concurrent request with the same key may have written first, so that this one now
        # finds the object changed (412): then the first answer is the answer.
        db.session.rollback()
        stored = claim(key, person, scope, now)
        if stored is not None:
            return _replay(stored, request_hash)
        raise
    if response.status_code >= 400:
        # Refusals are not stored: the same key may be retried once the cause is fixed.
        db.session.rollback()
        return response
    try:
        _store(key, person, scope, request_hash, response, now)
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same key committed first: ours is undone, theirs wins.
        db.session.rollback()
        stored = claim(key, person, scope, now)
        if stored is None:  # pragma: no cover - the other writer rolled back after all
            abort(409, description="A request with this Idempotency-Key is in progress.")
        return _replay(stored, request_hash)
    return response
