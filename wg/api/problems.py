"""RFC 9457 problem details: every API error answers application/problem+json."""

import json
import math
import time

from flask import Response
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE = "https://wg.example.org/problems/"
CONTENT_TYPE = "application/problem+json"

DETAILS = {
    400: "The request could not be understood.",
    401: "A valid personal access token is required: send Authorization: Bearer <token>.",
    403: "The token's person (or the token's scope) may not do this.",
    404: "There is nothing here.",
    405: "This address does not accept that method.",
    409: "The request conflicts with the current state.",
    412: "The object changed since the ETag you sent (If-Match); nothing was saved.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields are not valid.",
    428: "This write needs an If-Match header with the object's current ETag.",
    429: "Too many requests for this token; wait and try again.",
}


def problem(status, detail=None, *, errors=None, headers=None, **extra):
    """A problem+json response; `errors` maps a field to its list of messages."""
    body = {
        "type": PROBLEM_TYPE + str(status),
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status, HTTP_STATUS_CODES.get(status, "Error")),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=CONTENT_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if status == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(_retry_after())
    return response


def _retry_after():
    from wg.extensions import limiter

    try:
        current = limiter.current_limit
        if current is not None:
            return max(1, math.ceil(current.reset_at - time.time()))
    except Exception:  # pragma: no cover - no limit state: a safe default
        pass
    return 60


def _flatten(messages):
    """webargs/marshmallow messages ({location: {field: [..]}} or {field: [..]}) by field."""
    out = {}
    if not isinstance(messages, dict):
        return {"_": [str(messages)]}
    for key, value in messages.items():
        if key in ("json", "query", "headers", "path", "form", "view_args") and \
                isinstance(value, dict):
            out.update(_flatten(value))
        elif isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                out[f"{key}.{sub}"] = msgs
        else:
            out[str(key)] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
    return out


def from_exception(error):
    """The problem response for an HTTPException raised anywhere in an API request."""
    status = getattr(error, "code", None) or 500
    if status >= 500:
        # Never a 5xx for any input: what reaches here is reported as a bad request.
        status = 400
    data = getattr(error, "data", None) or {}
    errors = _flatten(data["messages"]) if data.get("messages") else None
    if data.get("errors"):
        errors = data["errors"]
    detail = data.get("message") or data.get("detail")
    if detail is None and isinstance(error, HTTPException) and error.description and \
            error.description != type(error).description:
        detail = error.description
    headers = {}
    if isinstance(error, HTTPException):
        for key, value in (data.get("headers") or {}).items():
            headers[key] = value
        if status == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
    extra = {k: v for k, v in data.items() if k in ("current",) and v is not None}
    return problem(status, detail, errors=errors, headers=headers, **extra)
