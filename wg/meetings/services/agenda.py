"""Agenda items, publishing, carry-over."""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from wg import formatting
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
)
from wg.meetings.services import record
from wg.meetings.services.inputs import URL_RE, check_length
from wg.meetings.services.record import AGENDA_FIELDS


@dataclass
class AgendaInput:
    title: str
    presenter: str = ""
    minutes_allotted: int | None = None
    link: str = ""
    notes: str = ""


def check_agenda(data):
    errors = {}
    if not (data.title or "").strip():
        errors["title"] = _("Give the item a title.")
    if data.minutes_allotted is not None and not 1 <= data.minutes_allotted <= 480:
        errors["minutes_allotted"] = _("Between 1 and 480 minutes.")
    if data.link and not URL_RE.match(data.link):
        errors["link"] = _("The link must start with https:// (or http://).")
    for name, limit in (("title", 300), ("presenter", 200), ("link", 500), ("notes", 5000)):
        check_length(errors, name, getattr(data, name), limit)
    if errors:
        raise ValidationError(errors)


def add_agenda_item(meeting, actor, data, now, carried_from=None, action=None):
    """Append an item at the end of the meeting's agenda."""
    check_agenda(data)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(
        AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(meeting_id=meeting.id, position=(last or 0) + 1, title=data.title.strip(),
                      presenter=(data.presenter or "").strip(),
                      minutes_allotted=data.minutes_allotted, link=(data.link or "").strip(),
                      notes=(data.notes or "").strip(), version=1,
                      carried_from_id=carried_from.id if carried_from else None,
                      action_id=action.id if action else None)
    db.session.add(item)
    meeting.updated_at = now
    db.session.flush()
    record.child_changed("agenda_item", item, AGENDA_FIELDS, None, actor, now, "created", meeting)
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])
    return item


def update_agenda_item(item, actor, data, now, expected_version=None):
    record.check("agenda_item", item, expected_version)
    check_agenda(data)
    before = history.snapshot(item, AGENDA_FIELDS)
    item.title, item.presenter = data.title.strip(), (data.presenter or "").strip()
    item.minutes_allotted, item.link = data.minutes_allotted, (data.link or "").strip()
    item.notes = (data.notes or "").strip()
    record.child_changed("agenda_item", item, AGENDA_FIELDS, before, actor, now, "updated",
                         item.meeting)
    record.flush("agenda_item", item, expected_version)
    return item


def move_agenda_item(item, actor, direction, now, expected_version=None):
    """Swap the item with its neighbour above (-1) or below (+1); positions stay 1..n."""
    record.check("agenda_item", item, expected_version)
    items = list(db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == item.meeting_id).order_by(AgendaItem.position, AgendaItem.id)))
    befores = {row.id: history.snapshot(row, AGENDA_FIELDS) for row in items}
    index = items.index(item)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items, start=1):
        row.position = position
        record.child_changed("agenda_item", row, AGENDA_FIELDS, befores[row.id], actor, now,
                             "moved", item.meeting)
    record.flush("agenda_item", item, expected_version)
    db.session.expire(item.meeting, ["agenda_items"])


def delete_agenda_item(item, actor, now, expected_version=None):
    """Remove an item; its history keeps a 'deleted' entry with every field it had."""
    record.check("agenda_item", item, expected_version)
    meeting = item.meeting
    before = history.snapshot(item, AGENDA_FIELDS)
    record.child_changed("agenda_item", item, AGENDA_FIELDS, before, actor, now, "deleted",
                         meeting)
    db.session.delete(item)
    record.flush("agenda_item", item, expected_version)
    db.session.expire(meeting, ["agenda_items"])


def set_item_done(item, actor, is_done, now, expected_version=None):
    record.check("agenda_item", item, expected_version)
    before = history.snapshot(item, AGENDA_FIELDS)
    item.is_done = bool(is_done)
    record.child_changed("agenda_item", item, AGENDA_FIELDS, before, actor, now, "updated",
                         item.meeting)
    record.flush("agenda_item", item, expected_version)


def publish_agenda(meeting, actor, now, expected_version=None):
    """Members see the agenda once it is published; they are e-mailed it with the .ics."""
    record.check("meeting", meeting, expected_version)
    if not meeting.agenda_items:
        raise ValidationError(_("Add at least one agenda item before publishing."))
    before = history.snapshot(meeting, record.MEETING_FIELDS)
    meeting.agenda_published_at = now
    queued = record.meeting_changed(meeting, before, actor, now, "agenda_published")
    record.flush("meeting", meeting, expected_version)
    return queued


def previous_meeting(meeting):
    return db.session.scalar(select(Meeting).where(
        Meeting.group_id == meeting.group_id, Meeting.start_at < meeting.start_at,
        Meeting.status != MeetingStatus.cancelled, Meeting.id != meeting.id,
    ).order_by(Meeting.start_at.desc()).limit(1))


def open_actions_for_backlog(group, now):
    """The group's open actions offered for carry-over into the next agenda, soonest due first."""
    from sqlalchemy.orm import joinedload

    from wg.actions.models import OPEN_STATUSES, ActionItem

    return list(db.session.scalars(
        select(ActionItem).options(joinedload(ActionItem.owner))
        .where(ActionItem.group_id == group.id, ActionItem.status.in_(OPEN_STATUSES))
        .order_by(ActionItem.due_date, ActionItem.id).limit(50)))


def actions_from_meeting(meeting):
    """Actions that came out of this meeting (their origin meeting)."""
    from sqlalchemy.orm import joinedload

    from wg.actions.models import ActionItem

    return list(db.session.scalars(
        select(ActionItem).options(joinedload(ActionItem.owner))
        .where(ActionItem.origin_meeting_id == meeting.id).order_by(ActionItem.id)))


def meeting_choices(group, now, limit=40):
    """(id, label) of a group's meetings of the last 18 months and next two, newest first."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.start_at).where(
            Meeting.group_id == group.id, Meeting.status != MeetingStatus.cancelled,
            Meeting.start_at > now - timedelta(days=550), Meeting.start_at < now + timedelta(days=62))
        .order_by(Meeting.start_at.desc()).limit(limit)).all()
    return [(mid, f"{formatting.format_date(start)} · {title}") for mid, title, start in rows]


def backlog(meeting, now):
    """The previous meeting's unfinished items not yet carried into this one, and open actions."""
    previous = previous_meeting(meeting)
    items = []
    if previous is not None:
        carried = set(db.session.scalars(select(AgendaItem.carried_from_id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.carried_from_id.is_not(None))))
        items = [i for i in previous.agenda_items if not i.is_done and i.id not in carried]
    on_agenda = set(db.session.scalars(select(AgendaItem.action_id).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.action_id.is_not(None))))
    actions = [a for a in open_actions_for_backlog(meeting.group, now) if a.id not in on_agenda]
    return {"previous": previous, "items": items, "actions": actions}


def carry_over(meeting, actor, item_ids, now, action_ids=()):
    """Copy the chosen unfinished items of the previous meeting (and chosen open actions of the
    group) to the end of this agenda. Ids that are not on offer (already on this agenda,
    repeated, or unknown) are ignored, so a repeated submit adds nothing."""
    offer = backlog(meeting, now)
    offered = {i.id: i for i in offer["items"]}
    actions = {a.id: a for a in offer["actions"]}
    added = []
    for item_id in dict.fromkeys(item_ids):
        source = offered.get(item_id)
        if source is None:
            continue
        added.append(add_agenda_item(meeting, actor, AgendaInput(
            title=source.title, presenter=source.presenter,
            minutes_allotted=source.minutes_allotted, link=source.link, notes=source.notes,
        ), now, carried_from=source))
    for action_id in dict.fromkeys(action_ids):
        action = actions.get(action_id)
        if action is None:
            continue
        owner = getattr(action, "owner", None)
        added.append(add_agenda_item(meeting, actor, AgendaInput(
            title=f"Action: {action.title}"[:300],
            presenter=getattr(owner, "name", "") or "", notes="Open action of the group.",
        ), now, action=action))
    return added
