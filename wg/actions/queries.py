"""Action lists: the filters of the actions page, its query, My actions and the reporting cycle."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, union

from wg.actions.models import ActionItem, ActionStatus
from wg.actions.services import _collect, parse_status
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Membership, Role
from wg.participants.models import Participant


@dataclass
class ActionFilters:
    """Filters of an action list, parsed from query arguments."""

    group: object = None  # Group or None
    status: ActionStatus | None = None
    owner_id: int | None = None
    participant: object = None  # Participant or None
    overdue: bool = False
    stale: bool = False
    text: str = ""

    def as_args(self):
        args = {}
        if self.group is not None:
            args["group"] = self.group.slug
        if self.status is not None:
            args["status"] = self.status.value
        if self.owner_id:
            args["owner"] = self.owner_id
        if self.participant is not None:
            args["participant"] = self.participant.code
        if self.overdue:
            args["overdue"] = "1"
        if self.stale:
            args["stale"] = "1"
        if self.text:
            args["q"] = self.text
        return args


def parse_filters(args, load_group):
    """ActionFilters from query arguments; raises ValidationError naming the bad argument.

    `load_group(slug)` returns the group after the caller's permission check.
    """
    from wg.groups.models import Group  # noqa: F401 (documented type of .group)

    errors = {}
    f = ActionFilters()
    if args.get("group"):
        f.group = load_group(args["group"])
    if args.get("status"):
        f.status = _collect(errors, parse_status, args["status"])
    if args.get("owner"):
        try:
            f.owner_id = int(args["owner"])
        except ValueError:
            errors["owner"] = _("The owner filter must be a person's number.")
    if args.get("participant"):
        code = args["participant"].strip().upper()
        f.participant = db.session.scalar(select(Participant).where(Participant.code == code))
        if f.participant is None:
            errors["participant"] = _("Unknown participant code %(code)s.", code=repr(code))
    f.overdue = args.get("overdue") in ("1", "on", "true", "yes")
    f.stale = args.get("stale") in ("1", "on", "true", "yes")
    f.text = (args.get("q") or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    return f


def list_query(filters, visible_group_ids, today, now):
    """A SELECT of the actions matching the filters among the groups the person reads."""
    from wg.actions.models import action_participants
    from wg.rollups.queries import overdue_clause, stale_clause

    stmt = select(ActionItem)
    if visible_group_ids is not None:
        stmt = stmt.where(ActionItem.group_id.in_(visible_group_ids))
    if filters.group is not None:
        from wg.rollups.queries import all_groups, scope_ids

        stmt = stmt.where(ActionItem.group_id.in_(scope_ids(filters.group, all_groups())))
    if filters.status is not None:
        stmt = stmt.where(ActionItem.status == filters.status)
    if filters.owner_id:
        stmt = stmt.where(ActionItem.owner_id == filters.owner_id)
    if filters.participant is not None:
        stmt = stmt.where(exists().where(
            action_participants.c.action_id == ActionItem.id,
            action_participants.c.participant_id == filters.participant.id))
    if filters.overdue:
        stmt = stmt.where(overdue_clause(today))
    if filters.stale:
        stmt = stmt.where(stale_clause(now))
    if filters.text:
        pattern = "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        stmt = stmt.where(ActionItem.title.ilike(pattern, escape="\\")
                          | ActionItem.description.ilike(pattern, escape="\\"))
    return stmt.order_by(ActionItem.due_date, ActionItem.id)


def my_actions_query(person, today, include_closed=False):
    """Actions the person owns, or that their participant is responsible for in a group where
    they take part; overdue first, then by due date."""
    from wg.actions.models import action_participants
    from wg.rollups.queries import overdue_clause

    member_groups = select(Membership.group_id).where(
        Membership.person_id == person.id, Membership.role.in_([Role.member, Role.chair]))
    # A union of two indexed lookups; an OR with EXISTS made SQLite scan every action.
    owned = select(ActionItem.id).where(ActionItem.owner_id == person.id)
    theirs = (select(action_participants.c.action_id)
              .join(ActionItem, ActionItem.id == action_participants.c.action_id)
              .where(action_participants.c.participant_id == person.participant_id,
                     ActionItem.group_id.in_(member_groups)))
    stmt = select(ActionItem).where(ActionItem.id.in_(union(owned, theirs)))
    if not include_closed:
        stmt = stmt.where(ActionItem.status.not_in([ActionStatus.done, ActionStatus.dropped]))
    from sqlalchemy import case

    return stmt.order_by(case((overdue_clause(today), 0), else_=1), ActionItem.due_date,
                         ActionItem.id)


def cycle_start(group, now):
    """When the group's current reporting cycle began: the start of its last meeting (not
    cancelled) before `now`; the start of the current month if it has not met yet.

    "Who has not reported this cycle" counts progress entries made since this instant.
    """
    from wg.meetings.models import Meeting, MeetingStatus

    last = db.session.scalar(select(func.max(Meeting.start_at)).where(
        Meeting.group_id == group.id, Meeting.start_at <= now,
        Meeting.status != MeetingStatus.cancelled))
    return last or now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
