"""Participants: countries (from pycountry) and international organizations."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pycountry
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wg.auth.models import Person
from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import participant_name, sort_key
from wg.groups import counts
from wg.groups.models import Group, Membership
from wg.history import services as history
from wg.participants.models import Participant, ParticipantKind

ORG_CODE_RE = re.compile(r"^[A-Z][A-Z0-9\-]{1,15}$")


def country_name(country):
    """The short common name where pycountry has one (Bolivia rather than its long form)."""
    return getattr(country, "common_name", None) or country.name


def lookup_country(code):
    code = (code or "").strip().upper()
    if len(code) == 3:
        return pycountry.countries.get(alpha_3=code)
    if len(code) == 2:
        return pycountry.countries.get(alpha_2=code)
    return None


def country_participant(code, **fields):
    """A new, unsaved participant for the ISO 3166 country with this alpha-3 (or alpha-2) code."""
    country = lookup_country(code)
    if country is None:
        raise ValidationError({"code": f"{code!r} is not an ISO 3166 country code."})
    return Participant(
        code=country.alpha_3,
        name=country_name(country),
        alpha2=country.alpha_2,
        kind=ParticipantKind.country,
        **fields,
    )


@dataclass
class DirectoryRow:
    participant: Participant
    people: int
    group_codes: list
    name: str = ""  # as the reader sees it (participant_name)
    name_key: tuple = ()  # its collation key


@lru_cache(maxsize=4096)
def _name_key(text):
    """The collation key of a name. Working it out (pyuca, in Python) was most of the
    directory's time, twice over for every participant on every request; the key depends on
    the text alone, and there are a few hundred names in each of six languages."""
    return sort_key(text)


def directory(*, kind=None, core=None, pledge=None, group=None, q=None):
    """Participants with their people count and the groups they take part in, filtered.

    kind: 'country' | 'organization'; core / pledge: True/False/None; group: a Group (its
    sub-groups count for a working group); q: text in the name or code.
    """
    from wg.pledge.models import PledgeSignature

    # The signature date shows in every row: loaded in one more query, not one per row.
    query = select(Participant).options(selectinload(Participant.pledge_signature).load_only(
        PledgeSignature.participant_id, PledgeSignature.signed_on))
    if kind in ("country", "organization"):
        query = query.where(Participant.kind == ParticipantKind(kind))
    if core is not None:
        query = query.where(Participant.is_core.is_(core))
    if pledge is not None:
        signed = Participant.id.in_(select(PledgeSignature.participant_id))
        query = query.where(signed if pledge else ~signed)
    if group is not None:
        group_ids = [group.id] + [c.id for c in group.children]
        query = query.where(
            Participant.id.in_(
                select(Person.participant_id)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.group_id.in_(group_ids))
            )
        )
    named = [(p, participant_name(p)) for p in db.session.scalars(query)]
    if q:
        # The name the reader sees is translated (CLDR, catalogs): match it, the recorded
        # English name and the code; a couple of hundred rows, so this runs in Python.
        needle = q.strip().casefold()
        named = [(p, name) for p, name in named if needle in name.casefold()
                 or needle in p.name.casefold() or needle in p.code.casefold()]
    # Countries, then organizations; each by the name the reader sees, in collation order.
    named = [(p, name, _name_key(name)) for p, name in named]
    named.sort(key=lambda row: (row[0].kind.value, row[2]))

    # Kept counts (wg.groups.counts): one row per participant and group, not per person.
    people = counts.people_by_participant()
    kept = counts.GroupParticipantMembers
    groups_by = {}
    for participant_id, code in db.session.execute(
        select(kept.participant_id, Group.code)
        .join(Group, Group.id == kept.group_id)
        .where(kept.members > 0, Group.is_active.is_(True))
    ):
        groups_by.setdefault(participant_id, []).append(code)
    return [
        DirectoryRow(p, people.get(p.id, 0), sorted(set(groups_by.get(p.id, []))), name, key)
        for p, name, key in named
    ]


# Sort keys of the directory lists (?sort=, a whitelist): name is the default.
DIRECTORY_SORTS = ("name", "code", "kind", "core", "pledge", "people", "joined")


def sort_directory(rows, sort):
    """The directory rows in the order of the SortState `sort` (keys of DIRECTORY_SORTS).

    Names sort as the reader sees them (translated, in collation order), so the list of a
    couple of hundred participants is sorted here rather than in SQL; each key falls back to
    the name, and participants without a date or pledge come last in either direction.
    """
    def name(row):
        return row.name_key or _name_key(participant_name(row.participant))

    keys = {
        "name": lambda r: (r.participant.kind.value, name(r)),
        "code": lambda r: r.participant.code,
        "kind": lambda r: (r.participant.kind.value, name(r)),
        "core": lambda r: (not r.participant.is_core, name(r)),
        "people": lambda r: (r.people, name(r)),
        "pledge": lambda r: (r.participant.pledge_signed_date is None,
                             r.participant.pledge_signed_date or date.min, name(r)),
        "joined": lambda r: (r.participant.joined_date is None,
                             r.participant.joined_date or date.min, name(r)),
    }
    key = keys.get(sort.key, keys["name"])
    rows = sorted(rows, key=key, reverse=sort.desc)
    if sort.desc and sort.key in ("pledge", "joined"):
        # Missing dates stay at the end when the dates run newest first.
        rows = [r for r in rows if key(r)[0] is False] + [r for r in rows if key(r)[0] is True]
    return rows


def participant_people(participant):
    """Active people of a participant with their groups and roles."""
    rows = db.session.execute(
        select(Person, Group, Membership.role)
        .outerjoin(Membership, Membership.person_id == Person.id)
        .outerjoin(Group, Group.id == Membership.group_id)
        .where(Person.participant_id == participant.id, Person.is_active_account.is_(True))
        .order_by(Person.name, Group.code)
    ).all()
    people = {}
    for person, group, role in rows:
        entry = people.setdefault(person.id, (person, []))
        if group is not None:
            entry[1].append((group, role))
    return list(people.values())


def _parse_date(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Use a date like %(example)s.", example="2024-09-24")}) \
            from None


# The fields a participant's history records (replay contract: see wg/history).
# (The Pledge signature has its own record and history: wg.pledge.)
PARTICIPANT_FIELDS = ("code", "name", "kind", "is_core", "joined_date")


def _record_participant(actor, participant, verb, changes, now, reason=None):
    history.record(actor, "participant", participant.id, verb, changes, now=now or utcnow(),
                   label=participant.name, reason=reason, version=participant.version)


def _changed(actor, participant, before, verb, now, reason=None):
    changes = history.diff(before, history.snapshot(participant, PARTICIPANT_FIELDS))
    if changes:
        participant.version = (participant.version or 1) + 1
        db.session.flush()
        _record_participant(actor, participant, verb, changes, now, reason)
    return changes


def create_participant(*, kind, code, name=None, is_core=False, joined_date=None, actor=None,
                       now=None):
    """Add a country (name from pycountry) or an organization (short upper-case code)."""
    joined = _parse_date(joined_date, "joined_date")
    code = (code or "").strip().upper()
    if kind == ParticipantKind.country or kind == "country":
        participant = country_participant(code, is_core=is_core, joined_date=joined)
    else:
        name = (name or "").strip()
        errors = {}
        if not ORG_CODE_RE.match(code):
            errors["code"] = _("Use 2 to 16 capital letters, digits or hyphens (for example "
                               "UNODC).")
        if not name:
            errors["name"] = _("Enter the organization's name.")
        elif len(name) > 200:
            errors["name"] = _("A name has at most %(num)s characters.", num=200)
        if errors:
            raise ValidationError(errors)
        participant = Participant(code=code, name=name, kind=ParticipantKind.organization,
                                  is_core=is_core, joined_date=joined)
    if db.session.scalar(select(Participant).where(Participant.code == participant.code)):
        raise ValidationError({"code": _("%(code)s is already a participant.",
                                          code=participant.code)})
    participant.version = 1
    db.session.add(participant)
    db.session.flush()
    _record_participant(actor, participant, "created",
                        history.created(history.snapshot(participant, PARTICIPANT_FIELDS)), now)
    return participant


def update_participant(participant, *, name=None, is_core, joined_date, actor=None, now=None,
                       expected_version=None):
    """Countries keep their ISO name; organizations may be renamed. Version-checked."""
    history.check_version("participant", participant, expected_version)
    joined = _parse_date(joined_date, "joined_date")
    before = history.snapshot(participant, PARTICIPANT_FIELDS)
    if participant.kind is ParticipantKind.organization:
        name = (name or "").strip()
        if not name:
            raise ValidationError({"name": _("Enter the organization's name.")})
        if len(name) > 200:
            raise ValidationError({"name": _("A name has at most %(num)s characters.", num=200)})
        participant.name = name
    participant.is_core = bool(is_core)
    participant.joined_date = joined
    db.session.flush()
    _changed(actor, participant, before, "updated", now)
    return participant
