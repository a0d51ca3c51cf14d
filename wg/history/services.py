"""Writing and reading the history; the version check every edit form shares.

Services call `record(...)` once per change, in the same transaction as the change. Values are
stored as JSON: dates and instants as ISO strings, enums by value, model objects by id.
`replay(entries)` rebuilds an object's recorded fields from its entries, which the property tests
use to prove that nothing changes without a trace.
"""

import contextvars
import enum
import importlib
import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from wg.errors import ValidationError
from wg.extensions import db
from wg.history.models import HistoryEntry

SYSTEM = "system"


def json_value(value):
    """A JSON-safe form of a field's value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [json_value(v) for v in value]
        return sorted(items, key=lambda v: (str(type(v)), v)) if isinstance(
            value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if hasattr(value, "id"):
        return value.id
    return str(value)


def snapshot(obj, fields):
    """The named fields of an object (or a mapping) as JSON-safe values."""
    if isinstance(obj, dict):
        return {f: json_value(obj.get(f)) for f in fields}
    return {f: json_value(getattr(obj, f)) for f in fields}


def diff(before, after):
    """{field: [old, new]} for the fields whose JSON value differs."""
    changes = {}
    for key in dict.fromkeys(list(before) + list(after)):
        old, new = json_value(before.get(key)), json_value(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def actor_display(label):
    """Who made a change, for a reader: a person's name as recorded, or "system" translated."""
    return _("system") if label == SYSTEM else label


def actor_label(actor, token=None):
    if token is not None:
        name = getattr(token, "name", None) or f"#{getattr(token, 'id', '?')}"
        who = getattr(actor, "name", None) or "?"
        return f"{who} (API token {name})"[:200]
    if actor is None:
        return SYSTEM
    return (getattr(actor, "name", None) or f"person #{getattr(actor, 'id', '?')}")[:200]


_acting_token = contextvars.ContextVar("wg_acting_token", default=None)


@contextmanager
def acting_token(token):
    """Within this block, entries written without a token name this API token (the API sets
    it around each write, so services need not pass it through every call)."""
    reset = _acting_token.set(token)
    try:
        yield
    finally:
        _acting_token.reset(reset)


def _short(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "…"


def record(actor, object_type, object_id, verb, changes=None, *, now, label="", reason=None,
           parent=None, group_id=None, version=None, token=None):
    """Append one history entry; the caller's transaction carries it with the change.

    `changes` is {field: [old, new]} (see `diff`, `created`, `deleted`); `parent` is an
    (object_type, object_id) pair the entry is also filed under. Returns the entry.
    """
    parent_type, parent_id = parent if parent else (None, None)
    if token is None:
        token = _acting_token.get()
    entry = HistoryEntry(
        at=now, actor_id=getattr(actor, "id", None), actor_label=actor_label(actor, token),
        token_id=getattr(token, "id", None), object_type=object_type, object_id=object_id,
        object_label=_short(label or "", 300), parent_type=parent_type, parent_id=parent_id,
        group_id=group_id, verb=verb, version=version,
        changes=json.dumps(json_value(changes or {}), ensure_ascii=False, sort_keys=True),
        reason=(reason or None),
    )
    db.session.add(entry)
    return entry


def created(values):
    """The changes of a creation: every field from None to its value."""
    return {k: [None, json_value(v)] for k, v in values.items()}


def deleted(values):
    """The changes of a deletion: every field from its value to None."""
    return {k: [json_value(v), None] for k, v in values.items()}


def changes_of(entry):
    try:
        return json.loads(entry.changes or "{}")
    except ValueError:
        return {}


def replay(entries):
    """The fields as the entries leave them, applied in order (None once deleted)."""
    state = {}
    for entry in entries:
        if entry.verb == "deleted":
            state = None
            continue
        state = {} if state is None else state
        for field, (_old, new) in changes_of(entry).items():
            state[field] = new
    return state


def entries_for(object_type, object_id, *, include_children=True, since_version=None):
    """The object's entries (and those filed under it), oldest first."""
    cond = (HistoryEntry.object_type == object_type) & (HistoryEntry.object_id == object_id)
    if include_children:
        cond = or_(cond, (HistoryEntry.parent_type == object_type)
                   & (HistoryEntry.parent_id == object_id))
    stmt = select(HistoryEntry).where(cond)
    if since_version is not None:
        stmt = stmt.where(HistoryEntry.object_type == object_type,
                          HistoryEntry.object_id == object_id,
                          HistoryEntry.version > since_version)
    return db.session.scalars(stmt.order_by(HistoryEntry.id)).all()


# --- version checks ------------------------------------------------------------------------


def parse_version(value):
    """The version a form was made from, or None when the caller does not check."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number < 2**31:
        raise ValidationError({None: _("This form is damaged (bad version); reload the page and "
                                       "try again.")})
    return number


class StaleEdit(Exception):
    """The object changed since the form was opened; nothing was saved.

    `entries` are the history entries written since the version the form was made from, so the
    page can say what changed and by whom.
    """

    def __init__(self, object_type, object_id, seen_version, current_version, entries=()):
        self.object_type = object_type
        self.object_id = object_id
        self.seen_version = seen_version
        self.current_version = current_version
        self.entries = list(entries)
        super().__init__(self.describe())

    def describe(self):
        text = _("Someone else changed this since you opened it (you saw version %(seen)s, it is "
                 "now version %(current)s).", seen=self.seen_version, current=self.current_version)
        parts = []
        for entry in self.entries[-5:]:
            fields = ", ".join(field_label(f) for f in changes_of(entry))
            if fields:
                part = _("%(who)s %(verb)s (%(fields)s)", who=actor_display(entry.actor_label),
                         verb=verb_label(entry.verb), fields=fields)
            else:
                part = _("%(who)s %(verb)s", who=actor_display(entry.actor_label), verb=verb_label(entry.verb))
            parts.append(part)
        if parts:
            text += " " + _("Since then: %(changes)s.", changes="; ".join(parts))
        return text + " " + _("Nothing of yours was saved: your text is still in the form. Check "
                              "the current values and save again.")


def check_version(object_type, obj, expected_version):
    """Refuse (StaleEdit) an edit made from a form of an older version of `obj`.

    `expected_version` None means the caller does not check (services called by jobs).
    """
    expected = parse_version(expected_version)
    if expected is None or expected == obj.version:
        return
    raise StaleEdit(object_type, obj.id, expected, obj.version,
                    entries_for(object_type, obj.id, include_children=False,
                                since_version=expected))


# --- labels --------------------------------------------------------------------------------

# Shown to people in their language; the recorded names stay the column names.
FIELD_LABELS = {
    "start_at": _l("start"), "duration_minutes": _l("duration"), "timezone": _l("time zone"),
    "video_url": _l("video link"), "minutes_text": _l("minutes"),
    "is_active_account": _l("active"), "is_coordinator": _l("coordinator"),
    "participant_id": _l("participant"), "owner_id": _l("owner"), "group_id": _l("group"),
    "parent_id": _l("working group"), "due_date": _l("due date"),
    "participant_ids": _l("responsible participants"), "origin_meeting_id": _l("origin meeting"),
    "pledge_signed_date": _l("pledge signed"), "joined_date": _l("joined"), "is_core": _l("core"),
    "name": _l("name"), "email": _l("email"), "language": _l("language"), "title": _l("title"),
    "code": _l("code"), "description": _l("description"), "status": _l("status"),
    "progress": _l("progress"), "note": _l("note"), "role": _l("role"), "kind": _l("kind"),
    "location": _l("location"), "agenda": _l("agenda"), "person_id": _l("person"),
    "is_active": _l("active"), "position": _l("position"), "text": _l("text"),
    "place": _l("place"), "cancel_reason": _l("reason"), "weight": _l("weight"),
    "presenter": _l("presenter"), "is_done": _l("done"), "notes": _l("notes"),
    "link": _l("link"), "url": _l("address"), "events": _l("events"),
    "minutes_md": _l("minutes"), "minutes_allotted": _l("duration"),
    "minutes_published_at": _l("minutes published"), "agenda_published_at": _l("agenda published"),
    "attendance_recorded_at": _l("attendance recorded"), "first_date": _l("first date"),
    "last_date": _l("last date"), "start_time": _l("start time"), "weekday": _l("weekday"),
    "week": _l("which week"), "month_day": _l("day of the month"), "rule_kind": _l("repeats"),
    "goal_md": _l("goal"), "subgroup_ids": _l("sub-groups"), "lead_ids": _l("leads"),
    "start_date": _l("start date"), "end_date": _l("end date"), "action_ids": _l("actions"),
    "decided_on": _l("date"), "supersedes_id": _l("supersedes"), "meeting_id": _l("meeting"),
    "year": _l("year"), "number": _l("number"),
    "sensitivity": _l("sensitivity (TLP)"), "minutes_sensitivity": _l("minutes sensitivity (TLP)"),
    "sensitivity_participant_id": _l("label set for"), "content_type": _l("file type"),
    "filename": _l("file name"), "sha256": _l("checksum"), "size": _l("size"),
    "current_version": _l("current version"), "deleted": _l("removed"),
}

VERB_LABELS = {
    "created": _l("created"), "updated": _l("updated"), "deleted": _l("deleted"),
    "activated": _l("activated"), "deactivated": _l("deactivated"),
    "preferences_changed": _l("preferences changed"), "granted": _l("granted"),
    "revoked": _l("revoked"), "progress": _l("progress"), "recorded": _l("recorded"),
    "token_created": _l("token created"), "token_revoked": _l("token revoked"),
    "agenda_published": _l("agenda published"), "attendance_recorded": _l("attendance recorded"),
    "cancelled": _l("cancelled"), "restored": _l("restored"), "rescheduled": _l("rescheduled"),
    "done": _l("done"), "minutes_edited": _l("minutes edited"),
    "minutes_published": _l("minutes published"), "pledge_changed": _l("pledge changed"),
    "pledge_signed": _l("pledge signed"), "pledge_withdrawn": _l("pledge withdrawn"),
    "retired": _l("retired"),
    "action_linked": _l("action linked"), "action_unlinked": _l("action unlinked"),
    "superseded": _l("superseded"),
}

OBJECT_TYPE_LABELS = {
    "action": _l("action"), "agenda_item": _l("agenda item"), "api_token": _l("API token"),
    "attendance": _l("attendance"), "decision": _l("decision"), "group": _l("group"),
    "meeting": _l("meeting"), "membership": _l("membership"), "participant": _l("participant"),
    "person": _l("person"), "series": _l("series"), "initiative": _l("initiative"),
    "document": _l("document"),
}


def field_label(name):
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def verb_label(verb, capital=False):
    """'minutes published' for minutes_published, in the viewer's language."""
    text = str(VERB_LABELS.get(verb, (verb or "").replace("_", " ")))
    return text[:1].upper() + text[1:] if capital else text


def object_type_label(object_type):
    return str(OBJECT_TYPE_LABELS.get(object_type, (object_type or "").replace("_", " ")))


def display_value(value, limit=300, zone_name=None):
    """A short text for a recorded value; with `zone_name` (pages, not CSV) instants are shown in
    that zone and days in the reader's language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(display_value(v, 60, zone_name) for v in value) or _("none")
    text = str(value)
    if zone_name and len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            from wg.formatting import format_date

            return format_date(day)
    if zone_name and len(text) >= 19 and text[10:11] == "T" and text[4:5] == "-":
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            instant = None
        if instant is not None and instant.tzinfo is not None:
            from wg.formatting import format_datetime

            return format_datetime(instant, zone_name)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _implementation_status(value):
    from wg.pledge.models import STATUS_LABELS

    return STATUS_LABELS.get(value)


def _labels_of(module, name):
    """A lookup in a model module's label table (imported when first used)."""

    def lookup(value):
        return getattr(importlib.import_module(module), name).get(value)

    return lookup


def _tlp(value):
    from wg.sensitivity import Sensitivity

    label = Sensitivity.parse(value)
    return label.tlp if label else None


def _file_size(value):
    from wg.formatting import format_number

    if not isinstance(value, int):
        return None
    if value < 1024:
        return _("%(num)s bytes", num=format_number(value))
    if value < 1024 * 1024:
        return _("%(num)s KB", num=format_number(value / 1024, 1))
    return _("%(num)s MB", num=format_number(value / 1048576, 1))


RULE_KINDS = {"weekday": _l("a weekday of the month"), "monthday": _l("a day of the month")}

# Values recorded as enum names, shown in the reader's language: (object type, field) -> the
# label of a recorded value (None: shown as recorded); (None, field) for every object type.
VALUE_LABELS = {
    ("implementation", "status"): _implementation_status,
    ("action", "status"): _labels_of("wg.actions.models", "STATUS_LABELS"),
    ("decision", "status"): _labels_of("wg.decisions.models", "STATUS_LABELS"),
    ("initiative", "status"): _labels_of("wg.initiatives.models", "STATUS_LABELS"),
    ("meeting", "status"): _labels_of("wg.meetings.models", "STATUS_LABELS"),
    ("membership", "role"): _labels_of("wg.groups.models", "ROLE_LABELS"),
    ("participant", "kind"): _labels_of("wg.participants.models", "KIND_LABELS"),
    ("series", "rule_kind"): RULE_KINDS.get,
    (None, "sensitivity"): _tlp, (None, "minutes_sensitivity"): _tlp,
    ("document", "size"): _file_size,
    ("document", "sha256"): lambda value: value[:12] + "…" if isinstance(value, str) else None,
}

# Recorded ids of other records, shown by name: (object type or None, field) -> kind.
# Actions are shown by number only: a history reader may not be allowed to see the action.
REFERENCES = {
    (None, "group_id"): "group", ("group", "parent_id"): "group", (None, "subgroup_ids"): "group",
    (None, "meeting_id"): "meeting", (None, "origin_meeting_id"): "meeting",
    (None, "supersedes_id"): "decision", (None, "lead_ids"): "participant",
    (None, "participant_ids"): "participant", (None, "participant_id"): "participant",
    (None, "sensitivity_participant_id"): "participant", (None, "owner_id"): "person",
    (None, "person_id"): "person", (None, "action_ids"): "action",
}


def _reference_kind(object_type, field):
    return REFERENCES.get((object_type, field)) or REFERENCES.get((None, field))


def reference_names(entries):
    """{(kind, id): name} for every id the entries' changes refer to: one query per kind."""
    wanted = {}
    for entry in entries:
        for field, pair in changes_of(entry).items():
            kind = _reference_kind(entry.object_type, field)
            if kind is None or kind == "action":
                continue
            for value in pair:
                for item in (value if isinstance(value, list) else [value]):
                    if isinstance(item, int) and not isinstance(item, bool):
                        wanted.setdefault(kind, set()).add(item)
    names = {}
    for kind, ids in wanted.items():
        for key, name in _NAMERS[kind](sorted(ids)):
            names[(kind, key)] = name
    return names


def _group_names(ids):
    from wg.groups.models import Group

    return db.session.execute(select(Group.id, Group.code).where(Group.id.in_(ids))).all()


def _meeting_names(ids):
    from wg.formatting import format_date
    from wg.meetings.models import Meeting

    return [(i, f"{title} ({format_date(start.date())})") for i, title, start in db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.start_at).where(Meeting.id.in_(ids)))]


def _decision_names(ids):
    from wg.decisions.models import Decision

    return [(d.id, d.reference) for d in db.session.scalars(
        select(Decision).where(Decision.id.in_(ids)))]


def _participant_names(ids):
    from wg.formatting import participant_name
    from wg.participants.models import Participant

    return [(p.id, participant_name(p)) for p in db.session.scalars(
        select(Participant).where(Participant.id.in_(ids)))]


def _person_names(ids):
    from wg.auth.models import Person

    return db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()


_NAMERS = {"group": _group_names, "meeting": _meeting_names, "decision": _decision_names,
           "participant": _participant_names, "person": _person_names}


def _referenced(kind, value, names):
    def one(item):
        if kind == "action":
            return _("Action %(num)s", num=item)
        return names.get((kind, item)) or f"#{item}"

    if isinstance(value, list):
        return ", ".join(one(v) for v in value) or _("none")
    return one(value)


def value_label(object_type, field, value, limit=300, zone_name=None, names=None):
    """display_value, but an enum name the reader would not understand ("in_place") as its
    translated label ("In place"), and an id of another record as its name (with `names` from
    reference_names; "#id" when it is gone)."""
    if names is not None and value not in (None, "", []):
        kind = _reference_kind(object_type, field)
        if kind is not None and all(isinstance(v, int) for v in (
                value if isinstance(value, list) else [value])):
            return display_value(_referenced(kind, value, names), limit)
    if object_type == "document" and field == "sensitivity" and value is None:
        return _("inherits the parent's label")
    label = VALUE_LABELS.get((object_type, field)) or VALUE_LABELS.get((None, field))
    if label is not None and value is not None:
        text = label(value)
        if text is not None:
            return str(text)
    return display_value(value, limit, zone_name)


def shown_changes(entry):
    """The entry's changes worth showing: a creation or deletion leaves out empty fields."""
    changes = changes_of(entry)
    if entry.verb in ("created", "deleted"):
        return {k: v for k, v in changes.items() if any(x not in (None, "", []) for x in v)}
    return changes
