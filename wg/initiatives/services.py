"""Initiatives: create, edit, link and unlink actions, and the rollup of the linked actions.

The rollup uses the very functions every other rollup uses (wg.rollups.compute.figures over the
linked actions' rows), so an initiative's percent complete, overdue and stale counts follow the
rules of DESIGN.md exactly.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from wg import idempotency
from wg import markdown as wg_markdown
from wg.actions.models import ActionItem
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import format_number
from wg.groups.models import Group
from wg.history import services as history
from wg.initiatives.models import Initiative, InitiativeStatus
from wg.participants.models import Participant
from wg.rollups.compute import figures

INITIATIVE_FIELDS = ("title", "goal_md", "group_id", "subgroup_ids", "lead_ids", "start_date",
                     "end_date", "status", "action_ids")
MAX_GOAL = 20_000
CREATE_SCOPE = "initiatives.create"
LINK_SCOPE = "initiatives.link"


@dataclass
class InitiativeInput:
    title: str = ""
    goal_md: str = ""
    group_id: int | None = None
    subgroup_ids: list = field(default_factory=list)
    lead_ids: list = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    status: str = "active"


def initiative_values(initiative):
    values = {f: getattr(initiative, f) for f in ("title", "goal_md", "group_id", "start_date",
                                                   "end_date", "status")}
    values["subgroup_ids"] = sorted(g.id for g in initiative.subgroups)
    values["lead_ids"] = sorted(p.id for p in initiative.leads)
    values["action_ids"] = sorted(a.id for a in initiative.actions)
    return history.snapshot(values, INITIATIVE_FIELDS)


def _ids(values):
    return sorted({int(v) for v in values or [] if str(v).strip().isdigit()})


def _clean(data):
    """The validated values of an InitiativeInput (ValidationError with every problem)."""
    errors = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > 300:
        errors["title"] = _("Keep the title under 300 characters.")
    goal = (data.goal_md or "").strip()
    try:
        wg_markdown.check(goal, "goal_md", MAX_GOAL)
    except ValidationError:
        errors["goal_md"] = _("Markdown only (no HTML), at most %(num)s characters.",
                              num=format_number(MAX_GOAL))
    group = db.session.get(Group, int(data.group_id)) if str(data.group_id or "").isdigit() \
        else None
    if group is None or group.parent_id is not None:
        errors["group_id"] = _("Pick a line of effort (working group).")
    subgroups = []
    sub_ids = _ids(data.subgroup_ids)
    if sub_ids and group is not None:
        subgroups = db.session.scalars(select(Group).where(Group.id.in_(sub_ids))).all()
        if len(subgroups) != len(sub_ids) or any(g.parent_id != group.id for g in subgroups):
            errors["subgroup_ids"] = _("Sub-groups must belong to the line of effort.")
    lead_ids = _ids(data.lead_ids)
    leads = db.session.scalars(select(Participant).where(Participant.id.in_(lead_ids))).all() \
        if lead_ids else []
    if not leads or len(leads) != len(lead_ids):
        errors["lead_ids"] = _("Name at least one leading country or organization.")
    if data.start_date is None:
        errors["start_date"] = _("A start date is required.")
    elif data.end_date is not None and data.end_date < data.start_date:
        errors["end_date"] = _("The end date cannot be before the start date.")
    try:
        status = InitiativeStatus(getattr(data.status, "value", data.status))
    except ValueError:
        errors["status"] = _("Unknown status.")
        status = None
    if errors:
        raise ValidationError(errors)
    return dict(title=title, goal_md=goal, goal_html=wg_markdown.render(goal), group_id=group.id,
                start_date=data.start_date, end_date=data.end_date, status=status), \
        subgroups, leads


def check_input(data):
    """Raise the ValidationError `_clean` would (every problem at once), writing nothing: a
    form that fails its own checks still shows the rules' messages in the same answer."""
    _clean(data)


def _record(actor, initiative, verb, changes, now, reason=None):
    history.record(actor, "initiative", initiative.id, verb, changes, now=now,
                   label=initiative.title, reason=reason, group_id=initiative.group_id,
                   version=initiative.version)


def _flush(initiative):
    try:
        db.session.flush()
    except StaleDataError:
        raise history.StaleEdit("initiative", initiative.id, initiative.version - 1,
                                "a newer one") from None


def create_initiative(actor, data, now, *, key=None):
    """A new initiative; a repeated form (same `key`) creates nothing (AlreadyDone)."""
    values, subgroups, leads = _clean(data)
    idempotency.claim_or_raise(key, actor, CREATE_SCOPE, now)
    initiative = Initiative(**values, created_at=now, updated_at=now,
                            created_by_id=getattr(actor, "id", None), version=1)
    initiative.subgroups = subgroups
    initiative.leads = leads
    db.session.add(initiative)
    db.session.flush()
    _record(actor, initiative, "created", history.created(initiative_values(initiative)), now)
    idempotency.remember(key, f"initiative:{initiative.id}")
    return initiative


def _changed(initiative, before, actor, now, verb, reason=None):
    changes = history.diff(before, initiative_values(initiative))
    if not changes:
        return False
    initiative.version = (initiative.version or 1) + 1
    initiative.updated_at = now
    _flush(initiative)
    _record(actor, initiative, verb, changes, now, reason=reason)
    return True


def update_initiative(initiative, actor, data, now, expected_version=None):
    """Edit an initiative; refused (StaleEdit) when the form was made from an older version."""
    values, subgroups, leads = _clean(data)
    history.check_version("initiative", initiative, expected_version)
    before = initiative_values(initiative)
    for name, value in values.items():
        setattr(initiative, name, value)
    initiative.subgroups = subgroups
    initiative.leads = leads
    return _changed(initiative, before, actor, now, "updated")


def _line_of_effort_ids(initiative):
    group = initiative.group
    return {group.id} | {c.id for c in group.children}


def link_action(initiative, actor, action, now, expected_version=None, *, key=None):
    """Link an action of the initiative's line of effort (the working group or a sub-group).
    Linking one already linked changes nothing."""
    if action.group_id not in _line_of_effort_ids(initiative):
        raise ValidationError({"action_id": _(
            "Only actions of %(group)s and its sub-groups can be linked.",
            group=initiative.group.code)})
    history.check_version("initiative", initiative, expected_version)
    idempotency.claim_or_raise(key, actor, LINK_SCOPE, now)
    if action in initiative.actions:
        return False
    before = initiative_values(initiative)
    initiative.actions.append(action)
    return _changed(initiative, before, actor, now, "action_linked",
                    reason=f"#{action.id} {action.title}"[:300])


def unlink_action(initiative, actor, action, now, expected_version=None):
    history.check_version("initiative", initiative, expected_version)
    if action not in initiative.actions:
        return False
    before = initiative_values(initiative)
    initiative.actions.remove(action)
    return _changed(initiative, before, actor, now, "action_unlinked",
                    reason=f"#{action.id} {action.title}"[:300])


# --- rollup ---------------------------------------------------------------------------------


def action_rows(actions):
    """The plain rows wg.rollups.compute works on."""
    return [dict(weight=a.weight, status=a.status, progress=a.progress, due_date=a.due_date,
                 last_activity_at=a.last_activity_at) for a in actions]


def rollup(initiative, today, now):
    """The initiative's figures from its linked actions, by the shared rollup formulas."""
    return figures(action_rows(initiative.actions), today, now)


def rollups_for(initiatives, today, now):
    """{initiative id: Figures} for a page of initiatives, in one query for all their actions."""
    from wg.initiatives.models import initiative_actions as link

    ids = [i.id for i in initiatives]
    rows = {i: [] for i in ids}
    if ids:
        stmt = (select(link.c.initiative_id, ActionItem.weight, ActionItem.status,
                       ActionItem.progress, ActionItem.due_date, ActionItem.last_activity_at)
                .join(ActionItem, ActionItem.id == link.c.action_id)
                .where(link.c.initiative_id.in_(ids)))
        for iid, weight, status, progress, due, last in db.session.execute(stmt):
            rows[iid].append(dict(weight=weight, status=status, progress=progress, due_date=due,
                                  last_activity_at=last))
    return {i: figures(r, today, now) for i, r in rows.items()}


def initiatives_of_action(action):
    return db.session.scalars(select(Initiative).join(Initiative.actions)
                              .where(ActionItem.id == action.id).order_by(Initiative.title)).all()


def link_candidates(initiative, limit=300):
    """Open actions of the line of effort not linked yet, for the "link an action" picker."""
    from wg.actions.models import OPEN_STATUSES

    linked = {a.id for a in initiative.actions}
    stmt = (select(ActionItem).where(ActionItem.group_id.in_(_line_of_effort_ids(initiative)),
                                     ActionItem.status.in_(list(OPEN_STATUSES)))
            .order_by(ActionItem.due_date, ActionItem.id).limit(limit + len(linked)))
    return [a for a in db.session.scalars(stmt) if a.id not in linked][:limit]
