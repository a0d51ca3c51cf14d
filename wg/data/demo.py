"""Believable demo data: people from ~160 countries with names and time zones that fit.

Scale 1 is about the real coalition (1,600 experts); scale 10 is the benchmark's data set.
Steps are plain functions taking a DemoContext, so later features add their own.
"""

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources

import pycountry
from faker import Faker
from faker.config import AVAILABLE_LOCALES
from sqlalchemy import func, select

from wg.auth.models import Person, new_calendar_token
from wg.auth.services import hash_password
from wg.data.seed import CORE_COUNTRIES
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.meetings.timezones import SEAT_ZONES, home_zone
from wg.participants.models import Participant, ParticipantKind
from wg.participants.services import country_name

DEMO_PASSWORD = "coalition-demo"
DEMO_LOGINS = [
    # email, name, participant, time zone, role description
    ("coordinator@example.org", "Grace Okafor", "USA", "America/New_York", "coordinator"),
    ("lead@example.org", "Oliver Bennett", "GBR", "Europe/London", "lead of WG1"),
    ("chair@example.org", "Lucía Hernández", "MEX", "America/Mexico_City", "chair of SWG1.1"),
    ("member@example.org", "Kwame Mensah", "GHA", "Africa/Accra",
     "member of SWG1.1 and SWG2.1, Pledge focal point of Ghana"),
]

REGION_LOCALES = {
    "Africa": ["en_NG", "yo_NG", "tw_GH", "zu_ZA", "sw", "fr_FR", "en_KE"],
    "America": ["es_MX", "es_CO", "es_AR", "es_CL"],
    "Asia": ["en_IN", "id_ID", "ar_SA", "en_PH", "th_TH"],
    "Europe": ["en_GB", "de_DE", "fr_FR", "pl_PL"],
    "Pacific": ["en_NZ", "en_AU"],
    "Australia": ["en_AU"],
    "Indian": ["en_IN", "fr_FR"],
    "Atlantic": ["pt_PT", "en_GB"],
}
MAIL_LANGUAGES = {"es", "fr", "ar", "ru", "zh"}  # with English, the six UN languages
# ISO 3166 entries that are territories, not states that could join a coalition of countries.
NOT_STATES = set(
    "AS AI AQ AW AX BL BM BQ BV CC CK CW CX EH FK FO GF GG GI GL GP GS GU HK HM IM IO JE KY MF MO "
    "MP MQ MS NC NF NU PF PM PN PR PS RE SH SJ SX TC TF TK TW UM VA VG VI WF YT".split()
)


@dataclass
class DemoContext:
    scale: float
    now: datetime
    rng: random.Random
    progress: callable = lambda n=1: None
    stats: dict = field(default_factory=dict)
    people_ids: list = field(default_factory=list)


def _zone_table():
    """Country alpha-2 -> its IANA zones, from the tzdata package's zone1970 and zone tables."""
    zones = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        zones.setdefault(parts[0], []).append(parts[2])
    return zones


def _locale_table():
    table = {}
    for loc in AVAILABLE_LOCALES:
        if "_" in loc:
            table.setdefault(loc.split("_")[1], []).append(loc)
    return table


def _ascii_slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]+", ".", text.lower()).strip(".")


class _Names:
    def __init__(self, seed):
        self.seed = seed
        self.fakers = {}

    def name(self, locale):
        faker = self.fakers.get(locale)
        if faker is None:
            faker = self.fakers[locale] = Faker(locale)
            faker.seed_instance(self.seed + len(self.fakers))
        return f"{faker.first_name()} {faker.last_name()}"


def demo_already_loaded():
    return db.session.scalar(select(Person.id).where(Person.email == DEMO_LOGINS[0][0])) is not None


def ensure_participants(ctx):
    """About 160 countries at scale 1 (fewer at small scales) plus the organizations."""
    rng = ctx.rng
    existing = {p.code: p for p in db.session.scalars(select(Participant))}
    target = max(14, min(165, round(160 * ctx.scale)))
    zones = _zone_table()
    candidates = [c for c in pycountry.countries if c.alpha_2 in zones and c.alpha_2 not in NOT_STATES]
    rng.shuffle(candidates)
    countries = [c for c in existing.values() if c.kind is ParticipantKind.country]
    for country in candidates:
        if len(countries) >= target:
            break
        if country.alpha_3 in existing:
            continue
        joined = date(2023, 7, 7) + timedelta(days=rng.randint(0, 700))
        # The draws that once picked a pledge date (signatures now come from wg.pledge.demo):
        # kept, so that the rest of the demo data stays the same for a given seed.
        if rng.random() < 0.3:
            rng.randint(0, 300)
        p = Participant(code=country.alpha_3, name=country_name(country), alpha2=country.alpha_2,
                        kind=ParticipantKind.country, joined_date=joined)
        db.session.add(p)
        existing[p.code] = p
        countries.append(p)
    db.session.flush()
    ctx.stats["participants"] = len(existing)
    return existing


def _country_profile(participant, zones, locales):
    """(time zones, name locales) for a participant."""
    if participant.kind is ParticipantKind.organization:
        return [SEAT_ZONES.get(participant.code, "Europe/Vienna")], ["en_GB", "fr_FR", "es_ES"]
    country_zones = zones.get(participant.alpha2 or "", ["UTC"])
    capital = home_zone(participant)
    if capital and len(country_zones) > 1:
        # Most of a delegation works from the capital: weight its zone as all the others
        # together, so a big country's people are not spread evenly over every zone it spans.
        country_zones = country_zones + [capital] * len(country_zones)
    country_locales = locales.get(participant.alpha2 or "")
    if not country_locales:
        region = country_zones[0].split("/")[0]
        country_locales = REGION_LOCALES.get(region, ["en_GB"])
    return country_zones, country_locales


def add_people(ctx):
    """People spread over participants (core countries send larger delegations)."""
    rng = ctx.rng
    participants = ensure_participants(ctx)
    zones, locales = _zone_table(), _locale_table()
    names = _Names(seed=rng.randint(0, 10**6))
    password_hash = hash_password(DEMO_PASSWORD)

    weighted = []
    for p in participants.values():
        weight = 6 if p.code in CORE_COUNTRIES or p.code == "USA" else 1
        if p.kind is ParticipantKind.organization:
            weight = 3
        weighted.append((p, weight))
    population, weights = zip(*weighted, strict=True)

    total = max(len(DEMO_LOGINS) + 20, round(1600 * ctx.scale))
    rows, used = [], set(db.session.scalars(select(Person.email)))
    for email, name, code, zone, _ in DEMO_LOGINS:
        rows.append(dict(name=name, email=email, participant_id=participants[code].id,
                         timezone=zone, language="es" if code == "MEX" else "en",
                         password_hash=password_hash, is_coordinator=email.startswith("coord"),
                         calendar_token=new_calendar_token(), created_at=ctx.now,
                         is_active_account=True))
        used.add(email)
    profiles = {}
    for i, p in enumerate(rng.choices(population, weights=weights, k=total - len(rows))):
        if p.id not in profiles:
            profiles[p.id] = _country_profile(p, zones, locales)
        country_zones, country_locales = profiles[p.id]
        locale = rng.choice(country_locales)
        name = names.name(locale)
        email = f"{_ascii_slug(name) or 'expert'}.{i}@{p.code.lower()}.example.org"
        if email in used:
            continue
        used.add(email)
        language = locale.split("_")[0]
        rows.append(dict(
            name=name, email=email, participant_id=p.id, timezone=rng.choice(country_zones),
            language=language if language in MAIL_LANGUAGES else "en",
            password_hash=password_hash, is_coordinator=False,
            calendar_token=new_calendar_token(),
            created_at=ctx.now - timedelta(days=rng.randint(0, 540)),
            # A few accounts wait for their owner to set a password; a few have left.
            is_active_account=rng.random() > 0.01,
        ))
        if len(rows) % 500 == 0:
            ctx.progress(500)
    for start in range(0, len(rows), 2000):
        # Core insert on the table (no ORM bookkeeping per row): keys are column names, and
        # the attribute is_active_account is stored in the column is_active.
        db.session.execute(Person.__table__.insert(), [
            {("is_active" if k == "is_active_account" else k): v for k, v in row.items()}
            for row in rows[start:start + 2000]])
    ctx.progress(len(rows) % 500)
    db.session.flush()
    ctx.stats["people"] = len(rows)


def add_memberships(ctx):
    """Everyone joins one or two sub-groups; co-chairs from core countries; two leads per WG."""
    rng = ctx.rng
    groups = {g.code: g for g in db.session.scalars(select(Group).where(Group.is_active.is_(True)))}
    subgroups = [g for g in groups.values() if g.parent_id is not None]
    working = [g for g in groups.values() if g.parent_id is None]
    people = db.session.execute(
        select(Person.id, Person.email, Participant.code, Person.is_coordinator)
        .join(Participant, Participant.id == Person.participant_id)
        .order_by(Person.id)
    ).all()
    fixed = {email: pid for pid, email, _, _ in people}
    rows = set()
    demo_roles = [
        ("lead@example.org", "WG1", Role.lead),
        ("chair@example.org", "SWG1.1", Role.chair),
        ("chair@example.org", "WG1", Role.member),
        ("member@example.org", "SWG1.1", Role.member),
        ("member@example.org", "SWG2.1", Role.member),
    ]
    for email, code, role in demo_roles:
        if code in groups:
            rows.add((fixed[email], groups[code].id, role))
    fixed_ids = set(fixed[e] for e, *_ in DEMO_LOGINS)
    core_people = [pid for pid, _, code, _ in people if code in CORE_COUNTRIES and pid not in fixed_ids]
    rng.shuffle(core_people)
    for group in subgroups + working:
        existing_chairs = sum(1 for r in rows if r[1] == group.id and r[2] is Role.chair)
        for _ in range(2 - existing_chairs):
            if core_people:
                rows.add((core_people.pop(), group.id, Role.chair))
    for group in working:
        existing_leads = sum(1 for r in rows if r[1] == group.id and r[2] is Role.lead)
        for _ in range(2 - existing_leads):
            if core_people:
                rows.add((core_people.pop(), group.id, Role.lead))
    for pid, _email, _code, is_coordinator in people:
        if pid in fixed_ids or is_coordinator:
            continue
        picks = rng.sample(subgroups, k=1 if rng.random() < 0.7 else 2)
        for g in picks:
            rows.add((pid, g.id, Role.member))
        if rng.random() < 0.25:
            rows.add((pid, picks[0].parent_id, Role.member))
    # A chair is also counted as a member; drop the duplicate member row.
    chairs = {(p, g) for p, g, r in rows if r is Role.chair}
    rows = [r for r in rows if not (r[2] is Role.member and (r[0], r[1]) in chairs)]
    rows.sort(key=lambda r: (r[0], r[1], r[2].value))
    payload = [dict(person_id=p, group_id=g, role=r) for p, g, r in rows]
    for start in range(0, len(payload), 5000):
        db.session.execute(Membership.__table__.insert(), payload[start:start + 5000])
    db.session.flush()
    ctx.stats["memberships"] = len(payload)
    ctx.progress(1)


def add_meetings(ctx):
    from wg.meetings.demo import add_meetings as step

    step(ctx)


def add_actions(ctx):
    from wg.actions.demo import add_actions as step

    step(ctx)


# --- Initiatives and the decision register (issue 14) -----------------------------------------

EXTRA_INITIATIVES = [
    # (leads, line of effort, title) for demo initiatives beside the eleven announced ones
    (("UNODC", "MEX"), "WG1", "Joint precursor watch list for the Americas"),
    (("INCB", "IND"), "WG1", "Voluntary industry code against precursor diversion"),
    (("EUDA", "ITA"), "WG2", "Shared alerts on nitazenes and new synthetic opioids"),
    (("WHO", "CAN"), "WG3", "Naloxone in every emergency department"),
    (("PAHO", "DOM"), "WG3", "Community prevention programmes for young people"),
    (("INTERPOL", "GBR"), "WG1", "Postal and express courier screening"),
]


def add_records(ctx):
    """The eleven announced initiatives plus demo ones (more at larger scales, so the list
    pages), each linked to actions of its line of effort; decisions get statuses, follow-up
    actions and a few superseding decisions."""
    from wg.actions.models import ActionItem
    from wg.data.seed import seed_initiatives
    from wg.decisions import services as decisions
    from wg.decisions.models import Decision, DecisionStatus, decision_actions
    from wg.initiatives import services as initiatives
    from wg.initiatives.models import Initiative, initiative_actions

    rng, now = ctx.rng, ctx.now
    seed_initiatives(now)
    groups = {g.code: g for g in db.session.scalars(select(Group))}
    participants = {p.code: p.id for p in db.session.scalars(select(Participant))}
    extra = max(len(EXTRA_INITIATIVES), round(6 * ctx.scale))
    for n in range(extra):
        leads, code, title = EXTRA_INITIATIVES[n % len(EXTRA_INITIATIVES)]
        if code not in groups:
            continue
        if n >= len(EXTRA_INITIATIVES):
            title = f"{title} — phase {n // len(EXTRA_INITIATIVES) + 1}"
        start = now.date() - timedelta(days=rng.randint(30, 500))
        initiatives.create_initiative(None, initiatives.InitiativeInput(
            title=title, goal_md=f"**{title}.** A demo initiative.", group_id=groups[code].id,
            subgroup_ids=[], lead_ids=[participants[c] for c in leads if c in participants],
            start_date=start, end_date=start + timedelta(days=rng.choice([365, 730])),
            status=rng.choice(["planned", "active", "active", "active", "paused"])), now)
    db.session.flush()
    # Links: a handful of actions of each initiative's line of effort (core inserts: fast).
    by_group = {}
    for gid, aid in db.session.execute(select(ActionItem.group_id, ActionItem.id)):
        by_group.setdefault(gid, []).append(aid)
    links = []
    for initiative in db.session.scalars(select(Initiative)):
        scope = [initiative.group_id] + ([g.id for g in initiative.subgroups]
                                         or [g.id for g in initiative.group.children])
        pool = [a for gid in scope for a in by_group.get(gid, [])]
        for aid in rng.sample(pool, k=min(len(pool), rng.randint(4, 12))):
            links.append(dict(initiative_id=initiative.id, action_id=aid))
    if links:
        db.session.execute(initiative_actions.insert(), links)
    # Decisions of the meetings: older ones mostly implemented, follow-up actions, supersedes.
    follow = []
    rows = db.session.execute(select(Decision.id, Decision.group_id, Decision.decided_on)
                              .order_by(Decision.decided_on, Decision.id)).all()
    implemented = [d for d, _g, day in rows if (now.date() - day).days > 120
                   and rng.random() < 0.6]
    for start in range(0, len(implemented), 1000):
        db.session.execute(Decision.__table__.update().where(
            Decision.id.in_(implemented[start:start + 1000])).values(
            status=DecisionStatus.implemented.value))
    for did, gid, _day in rows:
        pool = by_group.get(gid, [])
        if pool and rng.random() < 0.5:
            follow += [dict(decision_id=did, action_id=a)
                       for a in rng.sample(pool, k=min(len(pool), rng.randint(1, 2)))]
    if follow:
        db.session.execute(decision_actions.insert(), follow)
    db.session.expire_all()
    superseding = 0
    for group in sorted(groups.values(), key=lambda g: g.code):
        old = db.session.scalar(select(Decision).where(
            Decision.group_id == group.id, Decision.status == DecisionStatus.open,
            Decision.meeting_id.is_not(None)).order_by(Decision.decided_on).limit(1))
        if old is None:
            continue
        # Taken at the group's latest meeting with published minutes (dated its day).
        from wg.meetings.models import Meeting

        meeting = db.session.scalar(select(Meeting).where(
            Meeting.group_id == group.id, Meeting.minutes_published_at.is_not(None),
            Meeting.start_at < now).order_by(Meeting.start_at.desc()).limit(1))
        decisions.record_decision(group, None, decisions.DecisionInput(
            text=f"Replace decision {old.reference}: {old.text}", supersedes_id=old.id,
            decided_on=None if meeting else now.date()), now, meeting=meeting)
        superseding += 1
    db.session.flush()
    ctx.stats["initiatives"] = db.session.scalar(select(func.count()).select_from(Initiative))
    ctx.stats["decisions"] = len(rows) + superseding
    ctx.progress(1)




def add_pledge(ctx):
    from wg.pledge.demo import add_pledge as step

    step(ctx)


def add_documents(ctx):
    from wg.documents.demo import add_documents as step

    step(ctx)


DEMO_STEPS = [add_people, add_memberships, add_meetings, add_actions, add_records,
              add_pledge, add_documents]


def demo_size(scale):
    """An estimate of progress units, for the progress bar."""
    from wg.actions.demo import ACTIONS_PER_SCALE

    return (max(len(DEMO_LOGINS) + 20, round(1600 * scale)) + 1
            + max(50, round(ACTIONS_PER_SCALE * scale)))


def load_demo(scale, now, seed=2024, progress=None):
    """Run every demo step; the caller commits. Returns counts of what was added."""
    ctx = DemoContext(scale=scale, now=now, rng=random.Random(seed),
                      progress=progress or (lambda n=1: None))
    for step in DEMO_STEPS:
        step(ctx)
    return ctx.stats

