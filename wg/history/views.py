"""History views: one object's history, and the coordinators' audit page with CSV export."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

from flask import render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy import func, select

from wg import permissions
from wg.extensions import db
from wg.formatting import participant_name
from wg.groups.models import Group
from wg.history import bp
from wg.history import services as history
from wg.history.models import HistoryEntry

PER_PAGE = 50
OBJECT_TYPES = ["action", "agenda_item", "api_token", "attendance", "decision", "document", "group",
                "initiative", "meeting", "membership", "participant", "person", "series"]


def _object_url(object_type, obj):
    endpoints = {
        "meeting": ("meetings.detail", {"meeting_id": obj.id}),
        "series": ("meetings.series_detail", {"series_id": obj.id}),
        "action": ("actions.detail", {"action_id": obj.id}),
        "group": ("groups.detail", {"slug": getattr(obj, "slug", "")}),
        "person": ("admin.person", {"person_id": obj.id}),
        "participant": ("participants.detail", {"code": getattr(obj, "code", "")}),
        "initiative": ("initiatives.detail", {"initiative_id": obj.id}),
        "decision": ("decisions.detail", {"decision_id": obj.id}),
        "document": ("documents.detail", {"document_id": obj.id}),
    }
    endpoint, args = endpoints[object_type]
    try:
        return url_for(endpoint, **args)
    except Exception:  # an endpoint renamed elsewhere must not break the history page
        return None


def _object_title(object_type, obj):
    if object_type == "participant":
        return participant_name(obj)
    if object_type == "decision":
        return obj.reference
    for attr in ("title", "name", "code"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return f"{object_type} #{obj.id}"


@bp.route("/history/<object_type>/<int:object_id>")
def object_history(object_type, object_id):
    obj = permissions.history_object_for_view(current_user, object_type, object_id)
    entries = history.entries_for(object_type, object_id)
    entries.reverse()  # newest first
    extra_links = []
    if object_type == "participant" and permissions.can_view_pledge(current_user):
        # A participant's history is mostly its Pledge record: the way back there.
        extra_links.append((_("Pledge"), url_for("pledge.participant", code=obj.code)))
    return render_template("history/object.html", entries=entries, obj=obj,
                           object_type=object_type, title=_object_title(object_type, obj),
                           object_url=_object_url(object_type, obj), history=history,
                           extra_links=extra_links)


def _parse_day(value):
    try:
        return datetime.strptime((value or "").strip()[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def _audit_query(args):
    """The audit SELECT for the filters in `args`, and the filters as understood."""
    stmt = select(HistoryEntry)
    filters = {}
    object_type = (args.get("type") or "").strip()
    if object_type in OBJECT_TYPES:
        stmt = stmt.where((HistoryEntry.object_type == object_type)
                          | (HistoryEntry.parent_type == object_type))
        filters["type"] = object_type
    who = (args.get("who") or "").strip()[:100]
    if who:
        like = "%" + who.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(func.lower(HistoryEntry.actor_label).like(like, escape="\\"))
        filters["who"] = who
    text = (args.get("q") or "").strip()[:100]
    if text:
        like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") \
            + "%"
        stmt = stmt.where(func.lower(HistoryEntry.object_label).like(like, escape="\\"))
        filters["q"] = text
    start = _parse_day(args.get("from"))
    if start:
        stmt = stmt.where(HistoryEntry.at >= datetime.combine(start, time(), UTC))
        filters["from"] = start.isoformat()
    end = _parse_day(args.get("to"))
    if end:
        stmt = stmt.where(HistoryEntry.at < datetime.combine(end, time(), UTC) + timedelta(days=1))
        filters["to"] = end.isoformat()
    group_id = args.get("group", type=int)
    if group_id and 0 < group_id < 2**31:
        stmt = stmt.where(HistoryEntry.group_id == group_id)
        filters["group"] = group_id
    return stmt, filters


@bp.route("/admin/audit")
def audit():
    permissions.require_coordinator(current_user)
    stmt, filters = _audit_query(request.args)
    before = request.args.get("before", type=int)
    if before is not None and 0 < before < 2**62:
        stmt = stmt.where(HistoryEntry.id < before)
    else:
        before = None
    rows = db.session.scalars(stmt.order_by(HistoryEntry.id.desc()).limit(PER_PAGE + 1)).all()
    older = rows[PER_PAGE - 1].id if len(rows) > PER_PAGE else None
    groups = db.session.scalars(select(Group).order_by(Group.position, Group.code)).all()
    return render_template("history/audit.html", entries=rows[:PER_PAGE], filters=filters,
                           older=older, newer=before is not None, groups=groups,
                           object_types=OBJECT_TYPES, history=history)


@bp.route("/admin/audit.csv")
def audit_csv():
    permissions.require_coordinator(current_user)
    stmt, _filters = _audit_query(request.args)
    stmt = stmt.order_by(HistoryEntry.id)
    headers = CSV_COLUMNS if request.args.get("headers") == "codes" else _csv_headers()

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        last_id = 0
        while True:
            chunk = db.session.scalars(stmt.where(HistoryEntry.id > last_id).limit(500)).all()
            if not chunk:
                break
            for entry in chunk:
                changes = history.changes_of(entry) or {"": [None, None]}
                for field, (old, new) in changes.items():
                    writer.writerow([entry.id, entry.at.astimezone(UTC).isoformat(),
                                     entry.actor_label, entry.object_type, entry.object_id,
                                     _csv_safe(entry.object_label), entry.verb, field,
                                     _csv_safe(history.display_value(old, 10_000)),
                                     _csv_safe(history.display_value(new, 10_000)),
                                     _csv_safe(entry.reason or "")])
            last_id = chunk[-1].id
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    filename = f"audit-{datetime.now(UTC):%Y%m%d-%H%M}.csv"
    from wg.actions.csvio import csv_response  # actions imports history: import late

    return csv_response(stream_with_context(generate()), filename, request.args)


CSV_COLUMNS = ["id", "at_utc", "actor", "object_type", "object_id", "object", "verb", "field",
               "old", "new", "reason"]


def _csv_headers():
    """The column names in the reader's language (?headers=codes keeps CSV_COLUMNS)."""
    return [
        pgettext("audit CSV column", "id"), pgettext("audit CSV column", "at_utc"),
        pgettext("audit CSV column", "actor"), pgettext("audit CSV column", "object_type"),
        pgettext("audit CSV column", "object_id"), pgettext("audit CSV column", "object"),
        pgettext("audit CSV column", "verb"), pgettext("audit CSV column", "field"),
        pgettext("audit CSV column", "old"), pgettext("audit CSV column", "new"),
        pgettext("audit CSV column", "reason"),
    ]


def _csv_safe(text):
    """Keep a spreadsheet from reading a cell as a formula."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
