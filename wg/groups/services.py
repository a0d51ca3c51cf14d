"""Groups: the coalition's structure, rosters, and the coordinators' group edits."""

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from wg.auth.models import Person
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import participant_name, sort_key
from wg.groups import counts as kept_counts
from wg.groups.models import Group, Membership, Role
from wg.history import services as history
from wg.participants.models import Participant

CODE_RE = re.compile(r"^(WG\d+|SWG\d+\.\d+)$")


def slug_for_code(code):
    """WG1 -> wg1, SWG1.1 -> swg1-1."""
    return code.lower().replace(".", "-")


@dataclass
class GroupSummary:
    group: Group
    chairs: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    member_count: int = 0
    country_count: int = 0
    children: list = field(default_factory=list)


def structure(include_retired=False):
    """Working groups with their sub-groups, chairs, leads and member and country counts.

    Three queries whatever the size of the coalition; the counts are kept ones
    (wg.groups.counts), so they cost one row per group and participant, not one per person.
    """
    every = list(db.session.scalars(select(Group).order_by(Group.position, Group.code)))
    for g in every:  # the template's permission checks read children: no query per group
        set_committed_value(g, "children", [c for c in every if c.parent_id == g.id])
    groups = [g for g in every if include_retired or g.is_active]
    summaries = {g.id: GroupSummary(group=g) for g in groups}

    for group_id, (members, countries) in kept_counts.members_by_group().items():
        if group_id in summaries:
            summaries[group_id].member_count = members
            summaries[group_id].country_count = countries

    officers = db.session.execute(
        select(Membership.group_id, Membership.role, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.role.in_([Role.chair, Role.lead]))
        .order_by(Person.name)
    )
    for group_id, role, person in officers:
        if group_id in summaries:
            target = summaries[group_id].chairs if role is Role.chair else summaries[group_id].leads
            target.append(person)

    roots = []
    for g in groups:
        summary = summaries[g.id]
        if g.parent_id is None:
            roots.append(summary)
        elif g.parent_id in summaries:
            summaries[g.parent_id].children.append(summary)
    return roots


@dataclass
class Roster:
    chairs: list
    leads: list
    by_participant: list  # [(participant, number of members)], largest delegation first
    member_count: int
    country_count: int

    @property
    def by_participant_key(self):
        """What the "members by country and organization" list shows (wg.kept's key)."""
        return tuple((p.code, p.name, p.alpha2, p.kind, n) for p, n in self.by_participant)


def _member_ids(group):
    """Ids of the group's active members and chairs (a subquery)."""
    return (select(Membership.person_id)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.group_id == group.id, Membership.role.in_([Role.member, Role.chair]),
                   Person.is_active_account.is_(True))
            .distinct())


def roster(group):
    """A group's chairs, its line of effort's leads, and how many members each participant has.

    Counted in the database: the cost does not grow with the group's size beyond one row per
    participant. The names themselves are on the paginated members page.
    """
    from wg.groups.counts import GroupParticipantMembers as GPM  # noqa: N814

    # The kept per-group counts (wg.groups.counts: distinct active members and chairs of each
    # participant, checked by `flask wg check-rollups`), not every membership of the group.
    counts = db.session.execute(
        select(Participant, GPM.members).join(GPM, GPM.participant_id == Participant.id)
        .where(GPM.group_id == group.id, GPM.members > 0)
    ).all()
    # Most members first; ties by the name the reader sees (Unicode collation).
    by_participant = sorted(counts, key=lambda row: (-row[1], sort_key(participant_name(row[0]))))
    working_group_id = group.parent_id or group.id
    officers = db.session.execute(
        select(Membership.group_id, Membership.role, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(or_(and_(Membership.group_id == group.id, Membership.role == Role.chair),
                   and_(Membership.group_id == working_group_id, Membership.role == Role.lead)),
               Person.is_active_account.is_(True))
        .order_by(Person.name)
    ).all()
    chairs = [p for gid, role, p in officers if role is Role.chair and gid == group.id]
    leads = [p for gid, role, p in officers if role is Role.lead]
    return Roster(
        chairs=chairs,
        leads=leads,
        by_participant=by_participant,
        member_count=sum(n for _, n in counts),
        country_count=len(counts),
    )


def members_query(group, *, participant_code=None, q=None, participant_order=None):
    """The group's members as a query of Person, by participant then name (for pagination).

    `participant_order` (participant ids) puts the participants in the reader's order: their
    names are translated, so the database cannot sort them itself.
    """
    from sqlalchemy.orm import contains_eager

    if participant_order:
        by_participant = case({pid: i for i, pid in enumerate(participant_order)},
                              value=Person.participant_id, else_=len(participant_order))
    else:
        by_participant = Participant.name
    query = (select(Person)
             .join(Participant, Participant.id == Person.participant_id)
             .options(contains_eager(Person.participant))
             .where(Person.id.in_(_member_ids(group)))
             .order_by(by_participant, Participant.name, Person.name))
    if participant_code:
        query = query.where(Participant.code == participant_code.upper())
    if q:
        query = query.where(func.lower(Person.name).like(f"%{q.lower()}%"))
    return query


def groups_of(person):
    """The person's groups with their roles: [(group, {roles})], working groups first."""
    rows = db.session.execute(
        select(Group, Membership.role)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.person_id == person.id)
        .order_by(Group.position, Group.code)
    ).all()
    result = {}
    for group, role in rows:
        result.setdefault(group.id, (group, set()))[1].add(role)
    return list(result.values())


def validate_group_fields(code, title, parent, group=None):
    errors = {}
    code = (code or "").strip().upper()
    title = (title or "").strip()
    if not CODE_RE.match(code):
        errors["code"] = _("Use WG followed by a number (WG4) or SWG with two numbers "
                           "(SWG1.3).")
    else:
        other = db.session.scalar(select(Group).where(Group.code == code))
        if other is not None and other is not group:
            errors["code"] = _("%(code)s already exists.", code=code)
        is_sub = code.startswith("SWG")
        if is_sub and parent is None:
            errors["parent"] = _("A sub-working group belongs to a working group.")
        if not is_sub and parent is not None:
            errors["parent"] = _("A working group has no parent.")
        if parent is not None and parent.parent_id is not None:
            errors["parent"] = _("The parent must be a working group.")
        if group is not None and parent is not None and parent.id == group.id:
            errors["parent"] = _("A group cannot be its own parent.")
        if group is not None and is_sub and group.children:
            errors["code"] = _("This group has sub-groups, so it must stay a working group.")
    if not title:
        errors["title"] = _("Enter the group's title.")
    elif len(title) > 300:
        errors["title"] = _("A title has at most %(num)s characters.", num=300)
    if errors:
        raise ValidationError(errors)
    return code, title


# The fields a group's history records (replay contract: see wg/history).
GROUP_FIELDS = ("code", "slug", "title", "parent_id", "description", "is_active")


def _record_group(actor, group, verb, changes, now):
    history.record(actor, "group", group.id, verb, changes, now=now or utcnow(), label=group.code,
                   group_id=group.id, version=group.version)


def create_group(*, code, title, parent=None, description="", is_active=True, actor=None,
                 now=None):
    """Coordinators add groups; the slug follows the code."""
    code, title = validate_group_fields(code, title, parent)
    position = db.session.scalar(select(func.coalesce(func.max(Group.position), 0))) + 1
    group = Group(
        code=code,
        slug=slug_for_code(code),
        title=title,
        parent=parent,
        description=(description or "").strip(),
        position=position,
        is_active=bool(is_active),
        version=1,
    )
    db.session.add(group)
    db.session.flush()
    _record_group(actor, group, "created",
                  history.created(history.snapshot(group, GROUP_FIELDS)), now)
    return group


def update_group(group, *, code, title, parent, description, is_active, actor=None, now=None,
                 expected_version=None):
    """Rename, re-parent, or retire a group (retired groups leave the structure page).

    Version-checked against the form's version (history.StaleEdit).
    """
    history.check_version("group", group, expected_version)
    code, title = validate_group_fields(code, title, parent, group)
    before = history.snapshot(group, GROUP_FIELDS)
    group.code, group.slug, group.title = code, slug_for_code(code), title
    group.parent = parent
    group.description = (description or "").strip()
    group.is_active = bool(is_active)
    db.session.flush()
    changes = history.diff(before, history.snapshot(group, GROUP_FIELDS))
    if changes:
        group.version = (group.version or 1) + 1
        db.session.flush()
        verb = ("retired" if changes.get("is_active") == [True, False] else
                "restored" if changes.get("is_active") == [False, True] else "updated")
        _record_group(actor, group, verb, changes, now)
    return group
