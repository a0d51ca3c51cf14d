"""The decision register: record, update, supersede and remove decisions.

A decision's number is the next one for its group and year, assigned here; the unique
constraint (group_id, year, number) makes two concurrent recordings collide instead of sharing a
number, and the loser retries with the next number. Every change writes its history entry (filed
under the meeting, when there is one) in the same transaction; recording also queues the
`decision.recorded` webhook event.
"""

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from wg import idempotency
from wg import markdown as wg_markdown
from wg.actions.models import ActionItem
from wg.decisions.models import Decision, DecisionStatus
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import format_date, format_number
from wg.history import services as history
from wg.sensitivity import clean_label
from wg.webhooks import services as webhooks

# The recorded fields (replay contract: "created" has them all, later entries those changed).
DECISION_FIELDS = ("group_id", "year", "number", "meeting_id", "position", "text", "decided_on",
                   "status", "supersedes_id", "action_ids", "sensitivity")
MAX_TEXT = 10_000
RECORD_SCOPE = "decisions.record"
NUMBER_ATTEMPTS = 20


@dataclass
class DecisionInput:
    text: str = ""
    decided_on: date | None = None
    meeting_id: int | None = None
    supersedes_id: int | None = None
    action_ids: list = field(default_factory=list)
    sensitivity: str | None = None  # a TLP label (wg.sensitivity); None: the default


def decision_values(decision):
    values = {f: getattr(decision, f) for f in DECISION_FIELDS if f != "action_ids"}
    values["action_ids"] = sorted(a.id for a in decision.actions)
    return history.snapshot(values, DECISION_FIELDS)


def meeting_day(meeting):
    """The meeting's date where it is held (its anchor time zone)."""
    try:
        return meeting.start_at.astimezone(ZoneInfo(meeting.timezone)).date()
    except Exception:  # an unknown zone name: the UTC date
        return meeting.start_at.date()


def _record_history(actor, decision, verb, changes, now, reason=None):
    history.record(actor, "decision", decision.id, verb, changes, now=now,
                   label=f"{decision.reference}: {decision.text[:100]}", reason=reason,
                   parent=("meeting", decision.meeting_id) if decision.meeting_id else None,
                   group_id=decision.group_id, version=decision.version)


def _clean_text(text, errors):
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write the decision.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep a decision under %(num)s characters.", num=format_number(MAX_TEXT))
    elif wg_markdown.has_html(text):
        errors["text"] = _("Markdown only; HTML tags are not allowed.")
    return text


def _actions(group, ids, errors):
    """The follow-up actions, which must belong to the decision's group or its line of effort."""
    ids = sorted({int(i) for i in ids or [] if str(i).strip().isdigit()})
    if not ids:
        return []
    found = db.session.scalars(select(ActionItem).where(ActionItem.id.in_(ids))).all()
    allowed = {group.id, group.parent_id} | {c.id for c in group.children}
    if len(found) != len(ids) or any(a.group_id not in allowed for a in found):
        errors["action_ids"] = _("Follow-up actions must be actions of %(group)s or its line of "
                                 "effort.", group=group.code)
        return []
    return found


def _not_future(decided_on, meeting, now, errors):
    """A decision is recorded once taken: its date may not be after today (UTC), nor may it
    come from a meeting that has not started yet. The meeting's own day counts as taken once the
    meeting has started, wherever it is held (its day there may already be tomorrow in UTC)."""
    if decided_on is None:
        return
    today = format_date(now.date())
    if meeting is not None and meeting.start_at > now and decided_on >= meeting_day(meeting):
        errors["decided_on"] = _(
            "The meeting of %(date)s has not taken place yet: record its decisions once it has "
            "(today is %(today)s).", date=format_date(meeting_day(meeting)), today=today)
    elif decided_on > now.date() and not (meeting is not None and meeting.start_at <= now
                                          and decided_on == meeting_day(meeting)):
        errors["decided_on"] = _("A decision cannot be dated in the future: give the date it "
                                 "was taken (today is %(today)s).", today=today)


def _supersedable(group, supersedes_id, errors, own_id=None, decided_on=None):
    """The decision to supersede: of the same group, still in force, and dated on or before
    the new decision's date (a decision cannot replace a later one)."""
    if not supersedes_id:
        return None
    old = db.session.get(Decision, int(supersedes_id))
    if old is None or old.group_id != group.id or old.id == own_id:
        errors["supersedes_id"] = _("Pick an earlier decision of %(group)s.", group=group.code)
        return None
    if old.status is DecisionStatus.superseded:
        errors["supersedes_id"] = _("%(ref)s is already superseded.", ref=old.reference)
        return None
    if decided_on is not None and old.decided_on > decided_on:
        errors["supersedes_id"] = _(
            "%(ref)s was taken on %(old)s, after this decision's date (%(date)s): a decision "
            "can only supersede one taken on or before its own date.", ref=old.reference,
            old=format_date(old.decided_on), date=format_date(decided_on))
        return None
    return old


def _next_number(group_id, year):
    last = db.session.scalar(select(func.max(Decision.number)).where(
        Decision.group_id == group_id, Decision.year == year))
    return (last or 0) + 1


def record_decision(group, actor, data, now, *, key=None, meeting=None):
    """Record a decision of `group` with the next number of its year, dated no later than today
    (`now`); a decision it supersedes (dated on or before it) becomes "superseded" in the same
    transaction. A repeated form (same `key`) records nothing
    and raises idempotency.AlreadyDone."""
    errors = {}
    text = _clean_text(data.text, errors)
    if meeting is None and data.meeting_id:
        from wg.meetings.models import Meeting

        meeting = db.session.get(Meeting, int(data.meeting_id))
        if meeting is None or meeting.group_id != group.id:
            errors["meeting_id"] = _("Pick a meeting of %(group)s.", group=group.code)
            meeting = None
    decided_on = data.decided_on or (meeting_day(meeting) if meeting else None)
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the decision.")
    _not_future(decided_on, meeting, now, errors)
    actions = _actions(group, data.action_ids, errors)
    old = _supersedable(group, data.supersedes_id, errors, decided_on=decided_on)
    label, label_owner = clean_label(errors, actor, data.sensitivity)
    if errors:
        raise ValidationError(errors)
    idempotency.claim_or_raise(key, actor, RECORD_SCOPE, now)

    position = 0
    if meeting is not None:
        position = (db.session.scalar(select(func.max(Decision.position)).where(
            Decision.meeting_id == meeting.id)) or 0) + 1
    for _attempt in range(NUMBER_ATTEMPTS):
        decision = Decision(group_id=group.id, year=decided_on.year,
                            number=_next_number(group.id, decided_on.year),
                            meeting_id=meeting.id if meeting else None, position=position,
                            text=text, text_html=wg_markdown.render(text), decided_on=decided_on,
                            status=DecisionStatus.open, supersedes_id=old.id if old else None,
                            created_at=now, updated_at=now, created_by_id=getattr(actor, "id",
                                                                                  None),
                            sensitivity=label, sensitivity_participant_id=label_owner,
                            version=1)
        try:
            with db.session.begin_nested():
                db.session.add(decision)
                db.session.flush()
            break
        except IntegrityError:
            continue  # someone took this number meanwhile: take the next one
    else:  # pragma: no cover - twenty collisions in a row
        raise ValidationError({None: _("Too many decisions recorded at once; try again.")})
    decision.actions = actions
    db.session.flush()
    _record_history(actor, decision, "created", history.created(decision_values(decision)), now)
    if old is not None:
        _change(old, actor, now, {"status": DecisionStatus.superseded}, "superseded",
                reason=_("Superseded by %(ref)s.", ref=decision.reference))
    webhooks.emit("decision.recorded", {
        "id": decision.id, "reference": decision.reference, "group": group.code,
        "year": decision.year, "number": decision.number, "meeting_id": decision.meeting_id,
        "position": decision.position, "text": decision.text,
        "decided_on": decision.decided_on.isoformat(), "status": decision.status.value,
        "supersedes_id": decision.supersedes_id, "action_ids": [a.id for a in actions],
        "created_at": now}, group.id, now, item=decision)
    idempotency.remember(key, f"decision:{decision.id}")
    if meeting is not None:
        db.session.expire(meeting, ["decisions"])
    return decision


def _change(decision, actor, now, values, verb, reason=None, expected_version=None):
    history.check_version("decision", decision, expected_version)
    before = decision_values(decision)
    for name, value in values.items():
        setattr(decision, name, value)
    after = decision_values(decision)
    changes = history.diff(before, after)
    if not changes:
        return False
    decision.version = (decision.version or 1) + 1
    decision.updated_at = now
    try:
        db.session.flush()
    except Exception as exc:
        from sqlalchemy.orm.exc import StaleDataError

        if isinstance(exc, StaleDataError):
            raise history.StaleEdit("decision", decision.id, decision.version - 1,
                                    "a newer one") from None
        raise
    _record_history(actor, decision, verb, changes, now, reason=reason)
    return True


def update_decision(decision, actor, text, status, action_ids, now, expected_version=None,
                    sensitivity=None):
    """Edit the text, the status (open or implemented; "superseded" comes only from a later
    decision), the follow-up actions and the TLP label (None keeps it). Refused (StaleEdit)
    when the form is stale."""
    errors = {}
    text = _clean_text(text, errors)
    label, label_owner = clean_label(errors, actor, sensitivity, decision.sensitivity,
                                     decision.sensitivity_participant_id)
    try:
        status = DecisionStatus(getattr(status, "value", status))
    except ValueError:
        errors["status"] = _("Unknown status.")
    if status is DecisionStatus.superseded and decision.status is not DecisionStatus.superseded:
        errors["status"] = _("A decision is superseded by recording the decision that replaces "
                             "it.")
    if decision.status is DecisionStatus.superseded and status is not DecisionStatus.superseded:
        errors["status"] = _("A superseded decision stays superseded.")
    actions = _actions(decision.group, action_ids, errors)
    if errors:
        raise ValidationError(errors)
    history.check_version("decision", decision, expected_version)
    return _change(decision, actor, now, {"text": text, "text_html": wg_markdown.render(text),
                                          "status": status, "actions": actions,
                                          "sensitivity": label,
                                          "sensitivity_participant_id": label_owner}, "updated",
                   expected_version=expected_version)


def delete_decision(decision, actor, now, expected_version=None):
    """Remove a decision recorded by mistake; its history keeps a 'deleted' entry with its text
    (its number is not reused)."""
    history.check_version("decision", decision, expected_version)
    before = decision_values(decision)
    _record_history(actor, decision, "deleted", history.deleted(before), now)
    meeting = decision.meeting
    db.session.delete(decision)
    try:
        db.session.flush()
    except Exception as exc:
        from sqlalchemy.orm.exc import StaleDataError

        if isinstance(exc, StaleDataError):
            raise history.StaleEdit("decision", decision.id, expected_version,
                                    "a newer one") from None
        raise
    if meeting is not None:
        db.session.expire(meeting, ["decisions"])


def superseded_by(decision):
    """The decisions that supersede this one (normally at most one)."""
    return db.session.scalars(select(Decision).where(Decision.supersedes_id == decision.id)
                              .order_by(Decision.id)).all()


def supersede_choices(group):
    """The group's decisions still in force, newest first, for the "supersedes" picker."""
    return db.session.scalars(select(Decision).where(
        Decision.group_id == group.id, Decision.status != DecisionStatus.superseded)
        .order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(200)).all()
