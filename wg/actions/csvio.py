"""CSV: export of action lists, and the bulk update round trip (download, fill in, upload)."""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg import idempotency
from wg.actions import services
from wg.actions.models import OPEN_STATUSES, ActionItem
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import format_number, format_percent
from wg.sensitivity import Sensitivity

EXPORT_COLUMNS = ["id", "group", "title", "status", "progress", "weight", "due_date", "owner",
                  "participants", "overdue", "stale", "last_update", "version", "sensitivity"]
# What a person reads at the top of an exported list (the default); `?headers=codes` keeps the
# machine names above for scripts. The bulk-update sheet always keeps its codes: it comes back.
EXPORT_HEADERS = {
    "id": _l("ID"), "group": _l("Group"), "title": _l("Title"), "status": _l("Status"),
    "progress": _l("Progress (%)"), "weight": _l("Weight"), "due_date": _l("Due date"),
    "owner": _l("Owner"), "participants": _l("Countries and organizations"),
    "overdue": _l("Overdue"), "stale": _l("Stale"), "last_update": _l("Last update"),
    "version": _l("Version"), "sensitivity": _l("Sensitivity (TLP)"),
}
BULK_COLUMNS = ["id", "version", "title", "due_date", "owner", "participants", "status",
                "progress", "new_status", "new_progress", "note"]
MAX_ROWS = 5000
BULK_SCOPE = "actions.bulk"
MAX_UPLOAD_BYTES = 2_000_000  # the bulk upload refuses larger files with a message naming this
_MAX_ID = 2**31 - 1


_RISKY = frozenset(("=", "+", "-", "@", "\t", "\r"))


def _clean_cell(value):
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in _RISKY:
        return "'" + text
    return text


def _instant_text(dialect):
    """ISO 8601 text (UTC, +00:00) of a timestamp as the driver returns it: SQLite gives the
    text SQLAlchemy stored ('2026-03-01 10:00:00.000000'), PostgreSQL an aware datetime."""
    if dialect != "sqlite":
        from datetime import UTC

        return lambda value: value.astimezone(UTC).isoformat()

    def from_text(value):
        # 'YYYY-MM-DD HH:MM:SS[.ffffff]' -> as datetime.isoformat() writes it: the
        # microseconds only when not zero.
        micro = value[20:26]
        if micro and micro != "000000":
            return f"{value[:10]}T{value[11:19]}.{micro.ljust(6, '0')}+00:00"
        return f"{value[:10]}T{value[11:19]}+00:00"
    return from_text


BOM = "\ufeff"


def csv_response(body, filename, args):
    """A CSV download: UTF-8 with a byte-order mark by default, so Excel on Windows reads
    Arabic and Cyrillic names right; `?excel=0` leaves it out for scripts. `body` is the text
    or a generator of text chunks (streamed as they come)."""
    from itertools import chain

    from flask import Response

    if args.get("excel") != "0":
        body = BOM + body if isinstance(body, str) else chain((BOM,), body)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def rows_to_csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_clean_cell(v) for v in row])
    return out.getvalue()


def export_header(codes=False):
    """The export's first row: machine column names, or their labels in the reader's language."""
    return list(EXPORT_COLUMNS) if codes else [str(EXPORT_HEADERS[c]) for c in EXPORT_COLUMNS]


def export_rows(stmt, today, now, header=None):
    """Yield the CSV of every action the statement selects, 2,000 rows a chunk.

    Plain column rows (no ORM objects), one participants query for all, overdue and stale
    computed by the database (the SQL twins of is_overdue/is_stale), status and due date read
    as the text they are stored as, and only the free-text cells (title, owner) guarded
    against formulas: the per-row Python work is what limits the rows per second.
    """
    from sqlalchemy import String, case, type_coerce
    from sqlalchemy.orm import aliased

    from wg.actions.models import action_participants
    from wg.auth.models import Person
    from wg.groups.models import Group
    from wg.participants.models import Participant
    from wg.rollups.formulas import overdue_sql, stale_sql

    owner = aliased(Person)
    a = ActionItem
    rows_stmt = (stmt.with_only_columns(
        a.id, Group.code, a.title, type_coerce(a.status, String), a.progress, a.weight,
        type_coerce(a.due_date, String), owner.name,
        case((overdue_sql(a.status, a.due_date, today), 1), else_=0),
        case((stale_sql(a.status, a.last_activity_at, now), 1), else_=0),
        a.last_progress_at, a.version, type_coerce(a.sensitivity, String))
        .join(Group, Group.id == a.group_id)
        .outerjoin(owner, owner.id == a.owner_id))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or EXPORT_COLUMNS)
    clean = _clean_cell
    risky = _RISKY
    labels = {label.value: label.tlp for label in Sensitivity}
    instant = _instant_text(db.session.get_bind().dialect.name)
    # The driver's own rows, not SQLAlchemy's processed ones: every value is written as text
    # anyway, and the processing cost more than the query (see bench/RESULTS.md).
    connection = db.session.connection()
    # Every listed action's participants in one statement (per chunk of ids it cost more to
    # compile 2,000 parameters than to run the query), joined in Python.
    # The links are read from their covering index alone, and named from the participants
    # (a few hundred): no join and no sort in the database.
    code_of = dict(connection.execute(select(Participant.id, Participant.code)).cursor.fetchall())
    codes = {}
    for action_id, participant_id in connection.execute(
        select(action_participants.c.action_id, action_participants.c.participant_id)
        .where(action_participants.c.action_id.in_(
            stmt.with_only_columns(ActionItem.id).order_by(None).scalar_subquery()))
    ).cursor.fetchall():
        codes.setdefault(action_id, []).append(code_of[participant_id])
    codes = {action_id: " ".join(sorted(found)) for action_id, found in codes.items()}
    cursor = connection.execute(rows_stmt).cursor
    while chunk := cursor.fetchmany(2000):
        writer.writerows([
            (aid, group_code, title if title[:1] not in risky else clean(title), status,
             progress, weight, str(due),
             (owner_name if owner_name[:1] not in risky else clean(owner_name))
             if owner_name else "", codes.get(aid, ""),
             overdue, stale, instant(last_progress) if last_progress else "", version,
             labels[label])
            for (aid, group_code, title, status, progress, weight, due, owner_name, overdue,
                 stale, last_progress, version, label) in chunk])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _label_clause(person):
    """AMBER+STRICT actions of other participants stay out of `person`'s sheets."""
    from wg.permissions import sensitivity_clause

    return [sensitivity_clause(person, ActionItem)] if person is not None else []


def open_actions_csv(group, person=None):
    """The group's open actions with blank new_status / new_progress / note to fill in (those
    `person` may see under their sensitivity label)."""
    from wg.permissions import sensitivity_clause

    actions = db.session.scalars(
        select(ActionItem).where(ActionItem.group_id == group.id,
                                 ActionItem.status.in_(OPEN_STATUSES),
                                 *([sensitivity_clause(person, ActionItem)] if person else []))
        .options(selectinload(ActionItem.participants), selectinload(ActionItem.owner))
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    rows = [[a.id, a.version, a.title, a.due_date.isoformat(), a.owner.name if a.owner else "",
             " ".join(p.code for p in a.participants), a.status.value, a.progress, "", "", ""]
            for a in actions]
    return rows_to_csv(BULK_COLUMNS, rows)


@dataclass
class BulkRow:
    line: int
    action: ActionItem | None = None
    version: int | None = None
    new_status: object = None
    new_progress: object = None
    note: str = ""
    errors: list = field(default_factory=list)
    skipped: bool = False
    unchanged: bool = False  # same status and progress, no new note: nothing to record

    @property
    def change(self):
        a = self.action
        return (f"{a.status.label} {format_percent(a.progress / 100)} → "
                f"{self.new_status.label} {format_percent(self.new_progress / 100)}")


def parse_bulk(text, group, person=None):
    """Check an uploaded CSV against the group's current actions: one BulkRow per data line.

    Rows without a new status or progress are skipped. Nothing is written.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # newline=None reads CR-only (old Mac) line endings as well as CRLF and LF.
    reader = csv.DictReader(io.StringIO(text, newline=None))
    raw = []
    try:
        fieldnames = reader.fieldnames
        missing = {"id", "version", "new_status", "new_progress", "note"} - set(fieldnames or [])
        if missing:
            raise ValidationError({"file": _(
                "The file is not an action sheet from this page: missing column(s) "
                "%(columns)s.", columns=", ".join(sorted(missing)))})
        for i, row in enumerate(reader, start=2):
            if len(raw) >= MAX_ROWS:
                raise ValidationError({"file": _("At most %(num)s rows per upload.",
                                                   num=format_number(MAX_ROWS))})
            raw.append((i, row))
    except csv.Error as exc:
        raise ValidationError({"file": _("The file is not a readable CSV: %(problem)s.",
                                         problem=str(exc))}) from None
    ids = []
    for _line, row in raw:
        try:
            value = int((row.get("id") or "").strip())
        except ValueError:
            continue
        if 0 < value <= _MAX_ID:
            ids.append(value)
    actions = {a.id: a for a in db.session.scalars(
        select(ActionItem).where(ActionItem.id.in_(ids), ActionItem.group_id == group.id,
                                 *_label_clause(person)))}
    last_notes = _last_notes(list(actions))
    out = []
    for line, row in raw:
        r = BulkRow(line=line, note=(row.get("note") or "").strip())
        status_text = (row.get("new_status") or "").strip()
        progress_text = (row.get("new_progress") or "").strip()
        try:
            r.action = actions.get(int((row.get("id") or "").strip()))
        except ValueError:
            r.action = None
        if r.action is None:
            r.errors.append(_("No action %(id)s in %(group)s.", id=repr(row.get("id")),
                              group=group.code))
            out.append(r)
            continue
        if not status_text and not progress_text and not r.note:
            r.skipped = True
            out.append(r)
            continue
        try:
            r.version = int((row.get("version") or "").strip())
        except ValueError:
            r.errors.append(_("The version column must keep the number from the download."))
        try:
            r.new_status = services.parse_status(status_text or r.action.status.value)
        except ValidationError as exc:
            r.errors.extend(exc.errors.values())
        try:
            r.new_progress = services.parse_progress(progress_text or str(r.action.progress))
        except ValidationError as exc:
            r.errors.extend(exc.errors.values())
        if r.version is not None and r.version != r.action.version and (
                r.new_status, r.new_progress) != (r.action.status, r.action.progress):
            r.errors.append(_(
                "Made from version %(seen)s, but the action is now at version %(version)s "
                "(%(status)s, %(progress)s); download a fresh sheet.", seen=r.version,
                version=r.action.version, status=r.action.status.label,
                progress=format_percent(r.action.progress / 100)))
        if (not r.errors and (r.new_status, r.new_progress) == (r.action.status,
                                                                r.action.progress)
                and r.note in ("", last_notes.get(r.action.id, ""))):
            # Re-uploading an applied sheet: nothing new, so nothing is recorded and "last
            # update" (not reported, stale) does not move.
            r.unchanged = True
            out.append(r)
            continue
        if r.new_status is not None and r.new_progress is not None and not r.note:
            message = services._note_required(r.action.status, r.action.progress,
                                              r.new_status, r.new_progress)
            if message:
                r.errors.append(message)
        out.append(r)
    return out


def _last_notes(action_ids):
    """{action id: the note of its latest progress entry}, for the actions of a sheet."""
    from sqlalchemy import func

    from wg.actions.models import ProgressLog

    if not action_ids:
        return {}
    latest = (select(func.max(ProgressLog.id)).where(ProgressLog.action_id.in_(action_ids))
              .group_by(ProgressLog.action_id))
    return dict(db.session.execute(select(ProgressLog.action_id, ProgressLog.note)
                                   .where(ProgressLog.id.in_(latest))).all())


def apply_bulk(rows, actor, now, key=None):
    """Record every changed row as a progress entry; all or nothing (the caller commits).

    Raises ValidationError when any row has an error, StaleVersion when a row's action moved
    on between preview and apply (the caller then rolls back), and idempotency.AlreadyDone when
    this Apply (same `key`) was already carried out. Blank and unchanged rows record nothing.
    """
    bad = [r for r in rows if r.errors]
    if bad:
        raise ValidationError({None: f"{len(bad)} row(s) have errors; nothing was applied."})
    idempotency.claim_or_raise(key, actor, BULK_SCOPE, now)
    applied = []
    for r in rows:
        if r.skipped or r.unchanged:
            continue
        log = services.record_progress(r.action, actor, r.new_status, r.new_progress, r.note,
                                       r.version, now)
        applied.append(log.id)
    idempotency.remember(key, "progress_logs:" + ",".join(map(str, applied[:20])))
    return len(applied)
