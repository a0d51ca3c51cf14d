"""Agenda items, publishing, carry-over."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
)
from wg.meetings.services.inputs import URL_RE


@dataclass
class AgendaInput:
    title: str
    presenter: str = ""
    minutes_allotted: int | None = None
    link: str = ""
    notes: str = ""


def _check_agenda(data):
    errors = {}
    if not (data.title or "").strip():
        errors["title"] = "Give the item a title."
    if data.minutes_allotted is not None and not 1 <= data.minutes_allotted <= 480:
        errors["minutes_allotted"] = "Between 1 and 480 minutes."
    if data.link and not URL_RE.match(data.link):
        errors["link"] = "The link must start with https:// (or http://)."
    if errors:
        raise ValidationError(errors)


def add_agenda_item(meeting, actor, data, now, carried_from=None):
    """Append an item at the end of the meeting's agenda."""
    _check_agenda(data)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(
        AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(meeting_id=meeting.id, position=(last or 0) + 1, title=data.title.strip(),
                      presenter=(data.presenter or "").strip(),
                      minutes_allotted=data.minutes_allotted, link=(data.link or "").strip(),
                      notes=(data.notes or "").strip(),
                      carried_from_id=carried_from.id if carried_from else None)
    db.session.add(item)
    meeting.updated_at = now
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])
    return item


def update_agenda_item(item, actor, data, now):
    _check_agenda(data)
    item.title, item.presenter = data.title.strip(), (data.presenter or "").strip()
    item.minutes_allotted, item.link = data.minutes_allotted, (data.link or "").strip()
    item.notes = (data.notes or "").strip()
    db.session.flush()
    return item


def move_agenda_item(item, actor, direction):
    """Swap the item with its neighbour above (-1) or below (+1); positions stay 1..n."""
    items = list(db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == item.meeting_id).order_by(AgendaItem.position, AgendaItem.id)))
    index = items.index(item)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items, start=1):
        row.position = position
    db.session.flush()
    db.session.expire(item.meeting, ["agenda_items"])


def delete_agenda_item(item, actor):
    meeting = item.meeting
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])


def set_item_done(item, actor, is_done):
    item.is_done = bool(is_done)
    db.session.flush()


def publish_agenda(meeting, actor, now):
    """Members see the agenda once it is published."""
    if not meeting.agenda_items:
        raise ValidationError("Add at least one agenda item before publishing.")
    meeting.agenda_published_at = now
    meeting.sequence += 1
    meeting.updated_at = now
    db.session.flush()


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
    return [(mid, f"{start:%d %b %Y} · {title}") for mid, title, start in rows]


def backlog(meeting, now):
    """The previous meeting's unfinished items not yet carried into this one, and open actions."""
    previous = previous_meeting(meeting)
    items = []
    if previous is not None:
        carried = set(db.session.scalars(select(AgendaItem.carried_from_id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.carried_from_id.is_not(None))))
        items = [i for i in previous.agenda_items if not i.is_done and i.id not in carried]
    return {"previous": previous, "items": items,
            "actions": open_actions_for_backlog(meeting.group, now)}


def carry_over(meeting, actor, item_ids, now, action_ids=()):
    """Copy the chosen unfinished items of the previous meeting (and chosen open actions of the
    group) to the end of this agenda. Ids that are not on offer are ignored."""
    offer = backlog(meeting, now)
    offered = {i.id: i for i in offer["items"]}
    actions = {a.id: a for a in offer["actions"]}
    added = []
    for item_id in item_ids:
        source = offered.get(item_id)
        if source is None:
            continue
        added.append(add_agenda_item(meeting, actor, AgendaInput(
            title=source.title, presenter=source.presenter,
            minutes_allotted=source.minutes_allotted, link=source.link, notes=source.notes,
        ), now, carried_from=source))
    for action_id in action_ids:
        action = actions.get(action_id)
        if action is None:
            continue
        owner = getattr(action, "owner", None)
        added.append(add_agenda_item(meeting, actor, AgendaInput(
            title=f"Action: {action.title}"[:300],
            presenter=getattr(owner, "name", "") or "", notes="Open action of the group.",
        ), now))
    return added
