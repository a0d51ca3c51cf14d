"""One builder per model with sensible defaults; tests set only what they assert about."""

import itertools

from wg.auth import services as auth
from wg.auth.models import Person
from wg.extensions import db
from wg.groups import counts
from wg.groups.models import Group, Membership, Role
from wg.participants.models import Participant, ParticipantKind
from wg.participants.services import country_participant

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def participant(code="MEX", **fields):
    existing = db.session.query(Participant).filter_by(code=code).one_or_none()
    if existing:
        return existing
    if len(code) == 3 and fields.get("kind", ParticipantKind.country) == ParticipantKind.country:
        p = country_participant(code, **{k: v for k, v in fields.items() if k != "kind"})
    else:
        p = Participant(code=code, name=fields.pop("name", code), kind=ParticipantKind.organization,
                        **{k: v for k, v in fields.items() if k != "kind"})
    db.session.add(p)
    db.session.flush()
    return p


def person(name=None, email=None, participant_code="MEX", password=PASSWORD, **fields):
    n = next(_seq)
    fields.setdefault("language", "en")
    p = Person(
        name=name or f"Person {n}",
        email=(email or f"person{n}@example.org").lower(),
        participant=participant(participant_code),
        password_hash=auth.hash_password(password) if password else None,
        **fields,
    )
    db.session.add(p)
    db.session.flush()
    counts.apply_change(None, counts.state_of(p.id))  # as auth.create_person does
    return p


def group(code="SWG1.1", parent=None, title=None):
    existing = db.session.query(Group).filter_by(code=code).one_or_none()
    if existing:
        return existing
    if code.startswith("SWG") and parent is None:
        parent = group("WG" + code[3:].split(".")[0])
    g = Group(code=code, slug=code.lower().replace(".", "-"), title=title or f"Group {code}",
              parent=parent)
    db.session.add(g)
    db.session.flush()
    return g


def membership(person_, group_, role=Role.member):
    before = counts.state_of(person_.id)
    m = Membership(person=person_, group=group_, role=role)
    db.session.add(m)
    db.session.flush()
    counts.apply_change(before, counts.state_of(person_.id))  # as auth.grant_role does
    return m


def coalition():
    """The seven sub-groups and three working groups, plus one person in each role.

    Returns a dict: groups by code and people by role name.
    """
    from wg.data.seed import seed_structure

    seed_structure()
    groups = {g.code: g for g in db.session.query(Group)}
    people = {
        "coordinator": person("Cora Coordinator", "coordinator@example.org", "USA",
                              is_coordinator=True),
        "lead": person("Lee Lead", "lead@example.org", "GBR"),
        "chair": person("Cha Chair", "chair@example.org", "MEX"),
        "member": person("Mem Member", "member@example.org", "GHA"),
        "other_member": person("Otto Other", "other@example.org", "ITA"),
        "outsider": person("Out Sider", "outsider@example.org", "IND"),
    }
    membership(people["lead"], groups["WG1"], Role.lead)
    membership(people["chair"], groups["SWG1.1"], Role.chair)
    membership(people["member"], groups["SWG1.1"], Role.member)
    membership(people["other_member"], groups["SWG3.2"], Role.member)
    db.session.commit()
    return {"groups": groups, "people": people}


def action(group_, title="Share precursor seizure data", owner=None, participants=(),
           due_date=None, weight=1, now=None, actor=None):
    """An action created through the service (so its rollup summaries are kept)."""
    from datetime import UTC, date, datetime

    from wg.actions import services as actions

    now = now or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    data = actions.ActionInput(title=title, owner_id=owner.id if owner else None,
                               participant_ids=[p.id for p in participants],
                               due_date=due_date or date(2026, 6, 30), weight=weight)
    a = actions.create_action(group_, actor, data, now)
    db.session.flush()
    return a
