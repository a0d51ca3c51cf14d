"""Action items: create, edit and the one path that changes status and progress.

Services take the acting person and `now` as arguments, add and flush; the caller commits.
Permission checks happen before (wg.permissions loaders); these functions enforce the data rules.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, select, update

from wg import idempotency
from wg.actions.models import ActionItem, ActionStatus, ProgressLog
from wg.auth.models import Person
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import format_number, format_percent, participant_name
from wg.groups.models import Membership, Role
from wg.history import services as history
from wg.participants.models import Participant
from wg.rollups import summary
from wg.sensitivity import clean_label
from wg.webhooks import services as webhooks

# The fields an action's history records (replay contract: the "created" entry has all of
# them; every later entry has each one that changed, under these names).
ACTION_FIELDS = ("group_id", "title", "description", "owner_id", "participant_ids", "due_date",
                 "weight", "origin_meeting_id", "status", "progress", "sensitivity")
PROGRESS_SCOPE = "actions.progress"


def action_values(action):
    """The recorded fields of an action, JSON-safe (see ACTION_FIELDS)."""
    values = {f: getattr(action, f) for f in ACTION_FIELDS if f != "participant_ids"}
    values["participant_ids"] = sorted(p.id for p in action.participants)
    return history.snapshot(values, ACTION_FIELDS)


def _record(actor, action, verb, changes, now, version, reason=None, token=None):
    return history.record(actor, "action", action.id, verb, changes, now=now,
                          label=action.title, reason=reason, group_id=action.group_id,
                          version=version, token=token)

MAX_WEIGHT = 20
MAX_NOTE = 5000
STATUS_VALUES = [s.value for s in ActionStatus]


class StaleVersion(Exception):
    """The action changed since the page (or CSV row) the update was made from."""

    def __init__(self, action_id, seen_version, current, changes, edits=()):
        self.action_id = action_id
        self.seen_version = seen_version
        self.current = current  # dict of the action's values now
        self.changes = changes  # progress log entries written since seen_version
        self.edits = list(edits)  # history entries of detail edits since seen_version
        super().__init__(self.describe())

    def describe(self):
        c = self.current
        text = _("This action changed since you opened it (you saw version %(seen)s, it is "
                 "now version %(version)s): it is now %(status)s, %(progress)s.",
                 seen=self.seen_version, version=c["version"], status=c["status"].label,
                 progress=format_percent(c["progress"] / 100))
        if self.changes:
            parts = []
            for log in self.changes:
                values = dict(who=log.author.name if log.author else _("someone"),
                              old_status=log.old_status.label,
                              old=format_percent(log.old_progress / 100),
                              new_status=log.new_status.label,
                              new=format_percent(log.new_progress / 100))
                if log.note:
                    parts.append(_("%(who)s set %(old_status)s %(old)s → %(new_status)s %(new)s "
                                   "(“%(note)s”)", note=log.note[:120], **values))
                else:
                    parts.append(_("%(who)s set %(old_status)s %(old)s → %(new_status)s %(new)s",
                                   **values))
            text += " " + _("Since then: %(changes)s.", changes="; ".join(parts))
        if self.edits:
            text += " " + _("Details edited: %(edits)s.", edits="; ".join(
                _("%(who)s changed %(fields)s", who=e.actor_label, fields=", ".join(
                    str(history.field_label(k)) for k in history.changes_of(e)))
                for e in self.edits[-5:]))
        elif not self.changes:
            text += " " + _("Its details were edited meanwhile.")
        return text + " " + _("Nothing was saved; check the new values and submit again if "
                              "needed.")


# --- input cleaning ------------------------------------------------------------------------


def parse_status(value, field="status"):
    if isinstance(value, ActionStatus):
        return value
    text = (value or "").strip().lower().replace(" ", "_")
    try:
        return ActionStatus(text)
    except ValueError:
        raise ValidationError({field: _("Unknown status %(value)s; use one of: %(values)s.",
                                        value=repr(value), values=", ".join(STATUS_VALUES))}) \
            from None


def parse_progress(value, field="progress"):
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
        try:
            value = int(value)
        except ValueError:
            raise ValidationError({field: _("Progress must be a whole number from 0 to 100.")}) \
                from None
    if not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError({field: _("Progress must be a whole number from 0 to 100.")})
    return value


def _collect(errors, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        errors.update(exc.errors)
        return None


def parse_version(value):
    """The version a page or CSV row was made from (None when the caller does not check)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({None: _("This form is damaged (bad version); reload the "
                                            "page and try again.")}) from None


def _note_required(old_status, old_progress, new_status, new_progress):
    if new_status is ActionStatus.blocked and old_status is not ActionStatus.blocked:
        return _("A note is required when an action becomes blocked: say what blocks it.")
    if new_progress < old_progress:
        return _("A note is required when progress goes down: say why.")
    return None


def _current(action_id):
    return db.session.execute(
        select(ActionItem.status, ActionItem.progress, ActionItem.version, ActionItem.group_id,
               ActionItem.weight, ActionItem.due_date, ActionItem.created_at,
               ActionItem.title, ActionItem.owner_id, ActionItem.last_progress_at)
        .where(ActionItem.id == action_id)
    ).one()


def _stale(action_id, seen_version, current):
    changes = db.session.scalars(
        select(ProgressLog).where(ProgressLog.action_id == action_id,
                                  ProgressLog.version > (seen_version or 0))
        .order_by(ProgressLog.id)
    ).all()
    values = dict(current._mapping)
    edits = [e for e in history.entries_for("action", action_id, include_children=False,
                                            since_version=seen_version or 0)
             if e.verb == "updated"]
    return StaleVersion(action_id, seen_version, values, changes, edits)


# --- progress ------------------------------------------------------------------------------


def record_progress(action, actor, status, progress, note, expected_version, now, *, key=None,
                    token=None):
    """Append a progress log entry and move the action's status and progress with it.

    The only way status and progress change. A note is required when the action becomes
    blocked or its progress goes down. When `expected_version` is given and the action has
    moved on since, the entry is refused (StaleVersion) unless it leaves status and progress as
    they now are (then it only adds a note and overwrites nothing). Concurrent writers are
    serialized on the action's row, so every accepted entry is recorded. A form's idempotency
    `key` seen before records nothing and raises idempotency.AlreadyDone.
    """
    errors = {}
    new_status = _collect(errors, parse_status, status)
    new_progress = _collect(errors, parse_progress, progress)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("The note is too long (at most %(num)s characters).",
                           num=format_number(MAX_NOTE))
    if errors:
        raise ValidationError(errors)
    expected_version = parse_version(expected_version)
    idempotency.claim_or_raise(key, actor, PROGRESS_SCOPE, now)

    for _attempt in range(20):
        current = _current(action.id)
        if expected_version is not None and current.version != int(expected_version):
            if (new_status, new_progress) != (current.status, current.progress):
                raise _stale(action.id, int(expected_version), current)
        message = _note_required(current.status, current.progress, new_status, new_progress)
        if message and not note:
            raise ValidationError({"note": message})
        # Read at `current.version`: if the UPDATE below matches, nothing moved in between.
        before = summary.state_of(action.id, row=current)
        result = db.session.execute(
            update(ActionItem)
            .where(ActionItem.id == action.id, ActionItem.version == current.version)
            .values(status=new_status, progress=new_progress, version=current.version + 1,
                    last_progress_at=now, last_activity_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            break
    else:  # pragma: no cover - twenty writers in a row on one action
        raise _stale(action.id, expected_version, _current(action.id))

    summary.apply_change(before, before.with_progress(new_status, new_progress, now))

    log = ProgressLog(action_id=action.id, author_id=actor.id if actor else None,
                      created_at=now, note=note, old_status=current.status,
                      new_status=new_status, old_progress=current.progress,
                      new_progress=new_progress, version=current.version + 1)
    db.session.add(log)
    db.session.flush()
    changes = history.diff({"status": current.status, "progress": current.progress},
                           {"status": new_status, "progress": new_progress})
    history.record(actor, "action", action.id, "progress", changes, now=now,
                   label=current.title, reason=note or None, group_id=current.group_id,
                   version=current.version + 1, token=token)
    webhooks.emit("action.progress", {
        "action": {"id": action.id, "title": current.title, "status": new_status,
                   "progress": new_progress, "due_date": current.due_date,
                   "owner_id": current.owner_id, "version": current.version + 1},
        "progress_log": {"id": log.id, "author_id": log.author_id, "note": note,
                         "old_status": current.status, "new_status": new_status,
                         "old_progress": current.progress, "new_progress": new_progress,
                         "created_at": now}}, current.group_id, now, item=action)
    idempotency.remember(key, f"progress_log:{log.id}")
    db.session.expire(action)
    return log


# --- create and edit -----------------------------------------------------------------------


@dataclass
class ActionInput:
    """What a chair types for an action; values may still be strings from a form or CSV."""

    title: str = ""
    description: str = ""
    owner_id: object = None
    participant_ids: tuple = ()
    due_date: object = None
    weight: object = 1
    status: object = "open"
    progress: object = 0
    note: str = ""
    origin_meeting_id: object = None  # a meeting of the same group, or None
    sensitivity: object = None  # a TLP label (wg.sensitivity); None keeps the current one


def member_choices(group):
    """People who may own an action of the group: its members and chairs, by name."""
    return db.session.execute(
        select(Person.id, Person.name)
        .where(exists().where(Membership.person_id == Person.id,
                              Membership.group_id == group.id,
                              Membership.role.in_([Role.member, Role.chair])))
        .order_by(Person.name)
    ).all()


def taking_part_query(group):
    """Participants taking part in the group: at least one of their people is a member."""
    return (select(Participant)
            .where(exists().where(Person.participant_id == Participant.id,
                                  Membership.person_id == Person.id,
                                  Membership.group_id == group.id,
                                  Membership.role.in_([Role.member, Role.chair])))
            .order_by(Participant.name))


def participant_choices(group):
    return db.session.scalars(taking_part_query(group)).all()


def _clean_details(group, data):
    errors = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > 300:
        errors["title"] = _("The title is too long (at most %(num)s characters).",
                            num=format_number(300))
    description = (data.description or "").strip()
    if len(description) > 20000:
        errors["description"] = _("The description is too long.")

    owner = None
    if data.owner_id not in (None, ""):
        try:
            owner_id = int(data.owner_id)
        except (TypeError, ValueError):
            owner_id = None
        owner = db.session.get(Person, owner_id) if owner_id else None
        is_member = owner is not None and db.session.scalar(
            select(Membership.id).where(Membership.person_id == owner.id,
                                        Membership.group_id == group.id,
                                        Membership.role.in_([Role.member, Role.chair])).limit(1)
        )
        if not is_member:
            errors["owner_id"] = _("The owner must be a member of %(group)s; pick someone "
                                   "from the list.", group=group.code)

    participants = []
    ids = []
    for raw in data.participant_ids or ():
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            errors["participant_ids"] = _("Unknown participant %(value)s.", value=repr(raw))
    if ids and "participant_ids" not in errors:
        taking_part = {p.id: p for p in db.session.scalars(
            taking_part_query(group).where(Participant.id.in_(ids)))}
        missing = [i for i in ids if i not in taking_part]
        if missing:
            names = [participant_name(p) for p in db.session.scalars(
                select(Participant).where(Participant.id.in_(missing)))] or [str(missing[0])]
            errors["participant_ids"] = ngettext(
                "%(names)s does not take part in %(group)s (no members there).",
                "%(names)s do not take part in %(group)s (no members there).", len(names),
                names=", ".join(names), group=group.code)
        participants = [taking_part[i] for i in dict.fromkeys(ids) if i in taking_part]

    due = data.due_date
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due.strip())
        except ValueError:
            due = None
            errors["due_date"] = _("Not a valid date; use YYYY-MM-DD.")
    if due is None and "due_date" not in errors:
        errors["due_date"] = _("A due date is required (YYYY-MM-DD).")
    elif due is not None and not date(1900, 1, 1) <= due <= date(2199, 12, 31):
        # month arithmetic (rollups, reminders) must stay inside Python's year range
        errors["due_date"] = _("Choose a due date between %(first)s and %(last)s.",
                               first=1900, last=2199)

    weight = data.weight
    try:
        weight = int(str(weight).strip()) if weight is not None else None
    except ValueError:
        weight = None
    if weight is None or not 1 <= weight <= MAX_WEIGHT:
        errors["weight"] = _("Weight must be a whole number from 1 to %(max)s.", max=MAX_WEIGHT)
    origin_meeting_id = None
    if data.origin_meeting_id not in (None, ""):
        from wg.meetings.models import Meeting

        try:
            meeting = db.session.get(Meeting, int(data.origin_meeting_id))
        except (TypeError, ValueError):
            meeting = None
        if meeting is None or meeting.group_id != group.id:
            errors["origin_meeting_id"] = _("Choose one of the meetings of %(group)s.",
                                            group=group.code)
        else:
            origin_meeting_id = meeting.id
    return errors, dict(title=title, description=description, owner=owner,
                        participants=participants, due_date=due, weight=weight,
                        origin_meeting_id=origin_meeting_id)


def create_action(group, actor, data, now, token=None):
    """A chair adds an action to the group; a non-default status or progress is a first entry.

    The history's "created" entry carries every recorded field and its author; the note typed
    is its reason when the action starts Open at 0 % (else the first entry carries it).
    """
    if not group.is_active:
        raise ValidationError({None: _("%(group)s is retired: no new actions can be added to "
                                       "it. Its existing actions stay on record.",
                                       group=group.code)})
    errors, clean = _clean_details(group, data)
    label, label_owner = clean_label(errors, actor, getattr(data, "sensitivity", None))
    status = _collect(errors, parse_status, data.status)
    progress = _collect(errors, parse_progress, data.progress)
    if status is not None and progress is not None and not (data.note or "").strip():
        message = _note_required(ActionStatus.open, 0, status, progress)
        if message:
            errors["note"] = message
    if errors:
        raise ValidationError(errors)
    action = ActionItem(group_id=group.id, title=clean["title"],
                        description=clean["description"], owner=clean["owner"],
                        participants=clean["participants"], due_date=clean["due_date"],
                        weight=clean["weight"], origin_meeting_id=clean["origin_meeting_id"],
                        status=ActionStatus.open, progress=0, version=1,
                        created_at=now, updated_at=now, last_activity_at=now,
                        created_by_id=actor.id if actor else None, sensitivity=label,
                        sensitivity_participant_id=label_owner)
    db.session.add(action)
    db.session.flush()
    summary.apply_change(None, summary.state_of(action.id))
    note = (data.note or "").strip()
    starts_open = (status, progress) == (ActionStatus.open, 0)
    # The note typed on creation is the creation's reason when no first entry carries it.
    _record(actor, action, "created", history.created(action_values(action)), now, 1,
            reason=note if starts_open else None, token=token)
    webhooks.emit("action.created", webhooks.action_data(action), group.id, now, item=action)
    if not starts_open:
        record_progress(action, actor, status, progress,
                        note or "Set when the action was created.", expected_version=1, now=now,
                        token=token)
    return action


def creation_entry(action):
    """The history entry of the action's creation (author, note typed), or None for actions
    made before history was kept."""
    from wg.history.models import HistoryEntry

    return db.session.scalar(select(HistoryEntry).where(
        HistoryEntry.object_type == "action", HistoryEntry.object_id == action.id,
        HistoryEntry.verb == "created").order_by(HistoryEntry.id).limit(1))


def update_action(action, actor, data, expected_version, now, token=None):
    """A chair edits an action's details (not its status or progress) from a current page."""
    errors, clean = _clean_details(action.group, data)
    label, label_owner = clean_label(errors, actor, getattr(data, "sensitivity", None),
                                     action.sensitivity, action.sensitivity_participant_id)
    if errors:
        raise ValidationError(errors)
    expected_version = parse_version(expected_version)
    current = _current(action.id)
    if expected_version is not None and current.version != int(expected_version):
        raise _stale(action.id, int(expected_version), current)
    db.session.refresh(action)
    values_before = action_values(action)
    values_after = dict(values_before, title=clean["title"], description=clean["description"],
                        owner_id=clean["owner"].id if clean["owner"] else None,
                        participant_ids=sorted(p.id for p in clean["participants"]),
                        due_date=clean["due_date"], weight=clean["weight"],
                        origin_meeting_id=clean["origin_meeting_id"], sensitivity=label.value)
    changes = history.diff(values_before, values_after)
    if not changes:
        return action  # saved as it was: no new version, nothing to record
    before = summary.state_of(action.id)
    # The version is bumped here by a conditional UPDATE (not version_id_col): a writer that
    # read the same version and lost the race matches no row and gets StaleVersion.
    result = db.session.execute(
        update(ActionItem)
        .where(and_(ActionItem.id == action.id, ActionItem.version == current.version))
        .values(title=clean["title"], description=clean["description"],
                owner_id=clean["owner"].id if clean["owner"] else None,
                due_date=clean["due_date"], weight=clean["weight"],
                origin_meeting_id=clean["origin_meeting_id"], sensitivity=label,
                sensitivity_participant_id=label_owner,
                version=current.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _stale(action.id, expected_version, _current(action.id))
    db.session.expire(action)
    action.participants = clean["participants"]
    db.session.flush()
    summary.apply_change(before, summary.state_of(action.id))
    _record(actor, action, "updated", history.diff(values_before, action_values(action)), now,
            current.version + 1, token=token)
    webhooks.emit("action.updated", webhooks.action_data(action), action.group_id, now,
                  item=action)
    return action
