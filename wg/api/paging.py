"""Cursor pagination (stable under inserts), ETags and If-Match for the API."""

import base64
import json
from datetime import datetime

from flask import abort, request
from sqlalchemy import and_, or_

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, kind):
    """The values of an opaque cursor; 400 with a field error when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if kind == "id":
            assert isinstance(values, list) and len(values) == 1
            assert isinstance(values[0], int) and 0 <= values[0] < 2**63
            return values[0]
        assert isinstance(values, list) and len(values) == 2
        at = datetime.fromisoformat(values[0])
        assert at.tzinfo is not None and isinstance(values[1], int) and 0 <= values[1] < 2**63
        return at, values[1]
    except Exception:
        abort(400, description="The cursor is not valid; use the `next` value of a page.")


def page_by_id(stmt, column, cursor, limit):
    """Rows of `stmt` ordered by id after the cursor; (rows, next cursor or None)."""
    if cursor:
        stmt = stmt.where(column > decode_cursor(cursor, "id"))
    rows = _fetch(stmt.order_by(None).order_by(column), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].id]) if more and rows else None


def page_by_update(stmt, updated_col, id_col, cursor, limit):
    """Rows ordered by (updated_at, id) after the cursor: an updated row moves to the end, so a
    client that follows `next` to the end and resumes from there misses no change."""
    if cursor:
        at, last_id = decode_cursor(cursor, "update")
        stmt = stmt.where(or_(updated_col > at, and_(updated_col == at, id_col > last_id)))
    rows = _fetch(stmt.order_by(None).order_by(updated_col, id_col), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if rows:
        last = rows[-1]
        # The cursor of the last row is always given, so a client can resume after the end.
        nxt = encode_cursor([last.updated_at.isoformat(), last.id])
    return rows, nxt, more


def _fetch(stmt, limit):
    from wg.extensions import db

    return db.session.scalars(stmt.limit(limit + 1)).all()


def page_headers(next_cursor):
    """A Link header to the next page (RFC 8288), when there is one."""
    if not next_cursor:
        return {}
    args = request.args.to_dict()
    args["cursor"] = next_cursor
    from urllib.parse import urlencode

    return {"Link": f'<{request.base_url}?{urlencode(args)}>; rel="next"'}


# --- ETag / If-Match ------------------------------------------------------------------------


def version_of(obj):
    version = getattr(obj, "version", None)
    if version is not None:
        return str(version)
    # Objects without a version column yet: their last change instant stands in for it.
    stamp = getattr(obj, "updated_at", None) or getattr(obj, "created_at", None)
    return "t" + str(int(stamp.timestamp() * 1000)) if stamp else "1"


def etag(object_type, obj):
    return f'"{object_type}-{obj.id}-v{version_of(obj)}"'


def if_match_version(object_type, obj, dump=None):
    """The version named by If-Match for this object: 428 without it, 412 when stale."""
    header = request.headers.get("If-Match")
    if not header:
        abort(428)
    current = etag(object_type, obj)
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if "*" in tags or current in tags:
        return obj.version
    stale(object_type, obj, dump)


def stale(object_type, obj, dump=None):
    from flask_smorest import abort as api_abort

    api_abort(412, message=f"The {object_type} changed since that ETag; it is now "
              f"{etag(object_type, obj)}. Nothing was saved.",
              current=dump(obj) if dump else None, headers={"ETag": etag(object_type, obj)})
