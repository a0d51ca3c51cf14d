"""Action lists: the filters of the actions page, its query, My actions and the reporting cycle."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, select, union

from wg import stamps
from wg.actions.models import ActionItem, ActionStatus
from wg.actions.services import _collect, parse_status
from wg.auth.models import Person
from wg.errors import ValidationError
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.kept import Shelf
from wg.listing import order_columns, parse_sort
from wg.participants.models import Participant

# Sort keys the actions list accepts in ?sort= (a whitelist; anything else gives the default).
LIST_SORTS = ("due", "title", "group", "status", "progress", "owner")
MINE_SORTS = ("due", "title", "group", "status", "progress")
CLOSED = (ActionStatus.done, ActionStatus.dropped)
# Statuses in the order work moves through them, for sorting by status.
STATUS_ORDER = {s: i for i, s in enumerate(ActionStatus)}


@dataclass
class ActionFilters:
    """Filters of an action list, parsed from query arguments."""

    group: object = None  # Group or None
    status: ActionStatus | None = None
    # Without a status: only actions not done (nor dropped), unless all statuses are asked for.
    all_statuses: bool = False
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
        elif self.all_statuses:
            args["status"] = "all"
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


def parse_filters(args, load_group, default_all=False):
    """ActionFilters from query arguments; raises ValidationError naming the bad argument.

    `load_group(slug)` returns the group after the caller's permission check. Without a status
    the list shows the actions not done (`status=all` shows every status; `status=not_done`
    names the default); `default_all` makes every status the default (the CSV export's).
    """
    from wg.groups.models import Group  # noqa: F401 (documented type of .group)

    errors = {}
    f = ActionFilters()
    if args.get("group"):
        f.group = load_group(args["group"])
    status = (args.get("status") or "").strip()
    if status == "all" or (default_all and status != "not_done"):
        f.all_statuses = True
    if status and status not in ("all", "not_done"):
        f.status = _collect(errors, parse_status, status)
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


def parse_list_sort(args, keys=LIST_SORTS):
    """The sort of an action list: by due date, overdue first, unless ?sort= names a key."""
    return parse_sort(args, keys, "due")


def ordered(stmt, sort, today, one_side=False):
    """`stmt` ordered by the SortState `sort` (keys of LIST_SORTS), the id breaking ties.

    Due date ascending puts overdue actions first (oldest due first), then the other actions
    not done by due date, then the done and dropped ones: an old action that is done never comes
    before one that is late. Ties on any other key go by due date, soonest first.

    Every action has a due date, and an action not done is overdue exactly when its due date is
    before today, so among the actions not done "overdue first, then by due date" is the due
    date order itself: the order is (done or dropped, due date, id). `one_side` says that the
    rows are all closed or all not closed (a status filter, or the default "not done"); then the
    first key is constant and left out, so that an index on the due date gives the order and a
    page is read without sorting every matching row.
    """
    if sort.key == "due" and not sort.desc:
        if one_side:
            return stmt.order_by(ActionItem.due_date, ActionItem.id)
        return stmt.order_by(case((ActionItem.status.in_(CLOSED), 1), else_=0),
                             ActionItem.due_date, ActionItem.id)
    if sort.key == "title":
        columns = [func.lower(ActionItem.title)]
    elif sort.key == "group":
        stmt = stmt.join(Group, Group.id == ActionItem.group_id)
        columns = [Group.code]
    elif sort.key == "status":
        columns = [case(*((ActionItem.status == s, i) for s, i in STATUS_ORDER.items()),
                        else_=len(STATUS_ORDER))]
    elif sort.key == "progress":
        from wg.rollups.formulas import effective_progress_sql

        columns = [effective_progress_sql(ActionItem.status, ActionItem.progress)]
    elif sort.key == "owner":
        # Actions without an owner come last in either direction.
        stmt = stmt.outerjoin(Person, Person.id == ActionItem.owner_id)
        columns = [Person.id.is_(None), *order_columns([func.lower(Person.name)], sort.desc)]
        return stmt.order_by(*columns, ActionItem.due_date, ActionItem.id)
    else:
        columns = [ActionItem.due_date]
    return stmt.order_by(*order_columns(columns, sort.desc), ActionItem.due_date, ActionItem.id)


def list_query(filters, visible_group_ids, today, now, sort=None, person=None, groups=None):
    """A SELECT of the actions matching the filters among the groups the person reads, in the
    order `sort` names (by due date, overdue first, when None). With `person`, AMBER+STRICT
    actions of other participants are left out (permissions.sensitivity_clause). `groups` is
    every group (rollups.queries.all_groups) when the caller has it already."""
    from wg.actions.models import action_participants
    from wg.permissions import sensitivity_clause
    from wg.rollups.queries import overdue_clause, stale_clause

    stmt = select(ActionItem)
    if person is not None:
        stmt = stmt.where(sensitivity_clause(person, ActionItem))
    if visible_group_ids is not None:
        stmt = stmt.where(ActionItem.group_id.in_(visible_group_ids))
    if filters.group is not None:
        from wg.rollups.queries import all_groups, scope_ids

        stmt = stmt.where(ActionItem.group_id.in_(
            sorted(scope_ids(filters.group, all_groups() if groups is None else groups))))
    if filters.status is not None:
        stmt = stmt.where(ActionItem.status == filters.status)
    elif not filters.all_statuses:
        stmt = stmt.where(ActionItem.status.not_in(CLOSED))
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
    return ordered(stmt, sort or parse_sort({}, LIST_SORTS, "due"), today,
                   one_side=filters.status is not None or not filters.all_statuses)


def my_actions_query(person, today, include_closed=False, sort=None):
    """Actions the person owns, or that their participant is responsible for in a group where
    they take part; overdue first, then by due date, unless `sort` names another order."""
    from wg.actions.models import action_participants

    member_groups = select(Membership.group_id).where(
        Membership.person_id == person.id, Membership.role.in_([Role.member, Role.chair]))
    # A union of two indexed lookups; an OR with EXISTS made SQLite scan every action.
    owned = select(ActionItem.id).where(ActionItem.owner_id == person.id)
    theirs = (select(action_participants.c.action_id)
              .join(ActionItem, ActionItem.id == action_participants.c.action_id)
              .where(action_participants.c.participant_id == person.participant_id,
                     ActionItem.group_id.in_(member_groups)))
    from wg.permissions import sensitivity_clause

    stmt = select(ActionItem).where(ActionItem.id.in_(union(owned, theirs)),
                                    sensitivity_clause(person, ActionItem))
    if not include_closed:
        stmt = stmt.where(ActionItem.status.not_in(CLOSED))
    return ordered(stmt, sort or parse_sort({}, MINE_SORTS, "due"), today,
                   one_side=not include_closed)


_mine = Shelf(256)


def my_action_ids(person, today, include_closed=False, sort=None):
    """The ids of `my_actions_query`, in its order: kept per person under every group's change
    stamp (their actions, labels, participants) and the memberships' (their groups, their
    country or organization), for the day (overdue first). A person responsible through a
    country with thousands of actions made it a hash join over every action of their groups."""
    sort = sort or parse_sort({}, MINE_SORTS, "due")
    key = (person.id, person.participant_id, bool(person.is_coordinator), today,
           bool(include_closed), sort.key, sort.desc, stamps.groups(),
           stamps.read(["memberships"]))
    ids = _mine.get(key)
    if ids is None:
        ids = tuple(db.session.scalars(my_actions_query(person, today, include_closed, sort)
                                       .with_only_columns(ActionItem.id)))
        _mine.put(key, ids)
    return list(ids)


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
