"""Kept counts behind the structure page and the participants directory.

Two small tables, so those pages read (groups x participants) rows instead of every person and
membership of the coalition:

- group_participant_members: per group and participant, how many distinct active people of the
  participant are members or chairs of the group (a group's member count is their sum, its
  country count the number of its rows above zero, a participant's groups the rows above zero);
- participant_people: per participant, how many active people it has.

Every service that changes a person's participant, active flag or member/chair roles reads the
person's `state_of` before and after its change and calls `apply_change(before, after)` once, in
the same transaction; the change is an atomic increment, so two writers at once both count.
`rebuild()` and `check()` recount from the raw rows; `flask wg rebuild-rollups` and `flask wg
check-rollups` run them beside the rollup summaries.
"""

from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from wg.extensions import db

COUNTED_ROLES = ("member", "chair")


class GroupParticipantMembers(db.Model):
    """Per group and participant: distinct active people of the participant who are members or
    chairs of the group."""

    __tablename__ = "group_participant_members"
    __table_args__ = (UniqueConstraint("group_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    members: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ParticipantPeople(db.Model):
    """Per participant: its active people."""

    __tablename__ = "participant_people"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    people: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


@dataclass(frozen=True)
class PersonState:
    """What of a person the kept counts depend on."""

    participant_id: int
    active: bool
    group_ids: frozenset  # groups where the person is a member or a chair


def state_of(person_id):
    """The person's state as the database holds it now (flushed rows); None if no such row."""
    from wg.auth.models import Person
    from wg.groups.models import Membership, Role

    row = db.session.execute(select(Person.participant_id, Person.is_active_account)
                             .where(Person.id == person_id)).one_or_none()
    if row is None:
        return None
    groups = db.session.scalars(
        select(Membership.group_id).where(
            Membership.person_id == person_id,
            Membership.role.in_([Role(r) for r in COUNTED_ROLES])).distinct())
    return PersonState(row.participant_id, bool(row.is_active_account), frozenset(groups))


def _upsert():
    dialect = db.session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _bump(table, keys, column, by):
    stmt = _upsert()(table).values(**keys, **{column: by})
    stmt = stmt.on_conflict_do_update(index_elements=[table.c[k] for k in keys],
                                      set_={column: table.c[column] + stmt.excluded[column]})
    db.session.execute(stmt)


def _counted(state):
    """{(group_id, participant_id)} and the participant this state counts in (if active)."""
    if state is None or not state.active:
        return set(), None
    return {(g, state.participant_id) for g in state.group_ids}, state.participant_id


def apply_change(before, after):
    """Move the kept counts from a person's `before` state to `after` (None: no such person)."""
    if before == after:
        return
    from wg import stamps

    stamps.bump("memberships")  # what a person's groups and participant decide is kept under it
    b_pairs, b_participant = _counted(before)
    a_pairs, a_participant = _counted(after)
    gpm = GroupParticipantMembers.__table__
    for group_id, participant_id in sorted(b_pairs - a_pairs):
        _bump(gpm, dict(group_id=group_id, participant_id=participant_id), "members", -1)
    for group_id, participant_id in sorted(a_pairs - b_pairs):
        _bump(gpm, dict(group_id=group_id, participant_id=participant_id), "members", 1)
    if b_participant != a_participant:
        pp = ParticipantPeople.__table__
        if b_participant is not None:
            _bump(pp, dict(participant_id=b_participant), "people", -1)
        if a_participant is not None:
            _bump(pp, dict(participant_id=a_participant), "people", 1)


# --- reading ---------------------------------------------------------------------------------


def members_by_group():
    """{group_id: (members, participants)} from the kept rows."""
    t = GroupParticipantMembers
    return {g: (int(n), int(c)) for g, n, c in db.session.execute(
        select(t.group_id, func.sum(t.members), func.count(t.id))
        .where(t.members > 0).group_by(t.group_id))}


def people_by_participant():
    return dict(db.session.execute(
        select(ParticipantPeople.participant_id, ParticipantPeople.people)
        .where(ParticipantPeople.people > 0)).all())


# --- recount, rebuild, check -------------------------------------------------------------------


def recount():
    """({(group_id, participant_id): members}, {participant_id: people}) from the raw rows."""
    from wg.auth.models import Person
    from wg.groups.models import Membership, Role

    members = {(g, p): int(n) for g, p, n in db.session.execute(
        select(Membership.group_id, Person.participant_id,
               func.count(func.distinct(Membership.person_id)))
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.role.in_([Role(r) for r in COUNTED_ROLES]),
               Person.is_active_account.is_(True))
        .group_by(Membership.group_id, Person.participant_id))}
    people = {p: int(n) for p, n in db.session.execute(
        select(Person.participant_id, func.count(Person.id))
        .where(Person.is_active_account.is_(True)).group_by(Person.participant_id))}
    return members, people


def kept():
    t, pp = GroupParticipantMembers, ParticipantPeople
    members = {(g, p): n for g, p, n in db.session.execute(
        select(t.group_id, t.participant_id, t.members)) if n}
    people = {p: n for p, n in db.session.execute(select(pp.participant_id, pp.people)) if n}
    return members, people


def check():
    """Every difference between the kept counts and a recount, one line each ([] = match)."""
    out = []
    for label, have, want in zip(("group_participant_members", "participant_people"),
                                 kept(), recount(), strict=True):
        for key in sorted(set(have) | set(want), key=str):
            if have.get(key) != want.get(key):
                out.append(f"{label} {key}: kept {have.get(key)}, recount {want.get(key)}")
    return out


def rebuild():
    """Replace the kept counts by a recount (the caller commits)."""
    members, people = recount()
    db.session.execute(delete(GroupParticipantMembers))
    db.session.execute(delete(ParticipantPeople))
    if members:
        db.session.execute(insert(GroupParticipantMembers), [
            dict(group_id=g, participant_id=p, members=n) for (g, p), n in members.items()])
    if people:
        db.session.execute(insert(ParticipantPeople), [
            dict(participant_id=p, people=n) for p, n in people.items()])
    db.session.flush()
    return {"group members": len(members), "participant people": len(people)}
