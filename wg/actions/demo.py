"""Demo actions: believable actions from 18 months of monthly meetings, with progress logs.

Scale 1 makes about 10,000 actions and 100,000 progress entries; everything is written with
bulk inserts, and the monthly rollup summaries are built once at the end.
"""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select, text

from wg.actions.models import ActionItem, ProgressLog, action_participants
from wg.auth.models import Person
from wg.data.bulk import insert_rows
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.rollups import summary

ACTIONS_PER_SCALE = 10_000
MONTHS = 18

VERBS = ["Compile", "Draft", "Map", "Share", "Review", "Pilot", "Publish", "Convene",
         "Assess", "Update", "Coordinate", "Translate", "Survey", "Train"]
TOPICS = {
    "1": ["national seizure data on fentanyl precursors", "a list of pre-precursor chemicals",
          "clandestine laboratory dismantling guidelines", "pill-press import controls",
          "voluntary industry code of conduct for chemical suppliers",
          "controlled-delivery procedures for postal parcels",
          "risk indicators for air cargo shipments", "dark-web vendor takedown case studies",
          "port container profiling practices", "an overview of designer precursor scheduling"],
    "2": ["early-warning signals for nitazenes", "wastewater-based epidemiology results",
          "a shared glossary of emerging substances", "forensic laboratory capacity survey",
          "overdose mortality data definitions", "drug-checking service data",
          "a template for national threat assessments", "a protocol for sharing seizure alerts",
          "poison-centre reporting on xylazine", "a policy brief on data protection"],
    "3": ["school-based prevention curricula", "naloxone distribution programmes",
          "peer-support models for people who use drugs", "stigma-reduction campaigns",
          "treatment guidelines for methamphetamine use disorder",
          "alternatives to incarceration for drug offences", "prison-release overdose prevention",
          "telehealth opioid agonist treatment", "community outreach toolkits",
          "family-based prevention programmes"],
}
NOTES = ["Draft circulated to members for comment.", "Received input from three delegations.",
         "Consolidated comments; next draft due next month.", "Met with the secretariat.",
         "Data requests sent to national focal points.", "Presented at the monthly meeting.",
         "Translation into Spanish and French under way.", "Expert workshop held online.",
         "Waiting for two more national submissions.", "Final text agreed by co-chairs."]
BLOCKED_NOTES = ["Blocked: awaiting legal clearance to share national data.",
                 "Blocked: no focal point nominated yet.",
                 "Blocked: funding for the workshop not confirmed."]
DOWN_NOTES = ["Scope widened after the meeting; progress re-estimated.",
              "Correction: two sections had to be redone."]


def _group_people(group_ids):
    """{group id: ([member ids], [chair ids], {participant id: [member ids]})}."""
    rows = db.session.execute(
        select(Membership.group_id, Membership.person_id, Membership.role,
               Person.participant_id)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.group_id.in_(group_ids), Person.is_active_account.is_(True))
        .order_by(Membership.group_id, Membership.person_id)
    )
    out = {gid: ([], [], defaultdict(list)) for gid in group_ids}
    for gid, pid, role, participant_id in rows:
        members, chairs, by_participant = out[gid]
        if role in (Role.member, Role.chair):
            members.append(pid)
            by_participant[participant_id].append(pid)
        if role is Role.chair:
            chairs.append(pid)
    return out


def _simulate(rng, created, due, now):
    """A believable history: [(at, status, progress, note)] and the final (status, progress)."""
    status, progress = "open", 0
    events = []
    r = rng.random()
    quiet_at = created + timedelta(days=rng.randint(20, 200)) if r < 0.18 else None
    will_block = r > 0.9
    will_drop = 0.85 < r <= 0.88
    t = created + timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 23),
                            minutes=rng.randint(0, 59))
    while t < now:
        if quiet_at and t > quiet_at:
            break
        old = (status, progress)
        if will_drop and progress > 20 and rng.random() < 0.3:
            status, note = "dropped", "Dropped: superseded by a coalition-wide initiative."
        elif will_block and status != "blocked" and progress > 30 and rng.random() < 0.3:
            status, note = "blocked", rng.choice(BLOCKED_NOTES)
        elif status == "blocked" and rng.random() < 0.5:
            note = "Still blocked; raised with the co-chairs."
        elif progress > 20 and rng.random() < 0.04:
            progress = max(0, progress - rng.randint(5, 15))
            status, note = "in_progress", rng.choice(DOWN_NOTES)
        else:
            progress = min(100, progress + rng.randint(3, 14))
            status = "done" if progress == 100 else "in_progress"
            note = "Completed and reported to the group." if status == "done" \
                else rng.choice(NOTES)
        events.append((t, old, (status, progress), note))
        if status in ("done", "dropped"):
            break
        t += timedelta(days=rng.randint(7, 34), hours=rng.randint(-5, 5))
    return events, status, progress


def add_actions(ctx):
    """Actions decided at each group's monthly meetings over 18 months, with their logs."""
    rng, now = ctx.rng, ctx.now
    groups = db.session.scalars(select(Group).where(Group.is_active.is_(True))
                                .order_by(Group.id)).all()
    if not groups:
        return
    people = _group_people([g.id for g in groups])
    total = max(50, round(ACTIONS_PER_SCALE * ctx.scale))
    # Sub-groups do most of the work; working groups keep a few cross-cutting actions.
    weights = [3 if g.parent_id else 1 for g in groups]
    next_action = (db.session.scalar(select(func.max(ActionItem.id))) or 0) + 1
    next_log = (db.session.scalar(select(func.max(ProgressLog.id))) or 0) + 1
    demo_member = db.session.scalar(select(Person).where(Person.email == "member@example.org"))

    actions, links, logs = [], [], []
    for group in rng.choices(groups, weights=weights, k=total):
        members, chairs, by_participant = people[group.id]
        months_ago = rng.randint(0, MONTHS - 1)
        month_first = (now.replace(day=1) - timedelta(days=months_ago * 30.44)).replace(
            day=1, hour=13 + group.id % 4, minute=0, second=0, microsecond=0)
        created = month_first + timedelta(days=7 + group.id % 14)  # the group's meeting day
        if created >= now:
            created = now - timedelta(days=1)
        due = (created + timedelta(days=rng.choice([60, 90, 120, 180, 270, 365, 540]))).date()
        owner = rng.choice(members) if members and rng.random() < 0.85 else None
        participant_pool = list(by_participant)
        responsible = rng.sample(participant_pool, k=min(len(participant_pool),
                                                        rng.choice([0, 1, 1, 2, 3])))
        if demo_member is not None and demo_member.id in members and rng.random() < 0.006:
            owner = demo_member.id
        aid = next_action
        next_action += 1
        events, status, progress = _simulate(rng, created, due, now)
        prefix = group.code.replace("SWG", "").replace("WG", "")[:1]
        title = f"{rng.choice(VERBS)} {rng.choice(TOPICS.get(prefix, TOPICS['1']))}"
        weight = rng.choice([1, 1, 1, 1, 2, 2, 3, 5])
        last = events[-1][0] if events else None
        actions.append(dict(
            id=aid, group_id=group.id, title=title,
            description=f"Agreed at the {created:%B %Y} meeting of {group.code}.",
            owner_id=owner, due_date=due, weight=weight, status=status, progress=progress,
            version=1 + len(events), created_at=created, created_by_id=chairs[0] if chairs
            else None, updated_at=last or created, last_progress_at=last,
            last_activity_at=last or created))
        for pid in responsible:
            links.append(dict(action_id=aid, participant_id=pid))
        authors = ([owner] if owner else []) + [m for pid in responsible
                                                for m in by_participant[pid][:3]] + chairs[:1]
        for v, (at, old, new, note) in enumerate(events, start=2):
            logs.append(dict(id=next_log, action_id=aid,
                             author_id=rng.choice(authors) if authors else None, created_at=at,
                             note=note, old_status=old[0], new_status=new[0],
                             old_progress=old[1], new_progress=new[1], version=v))
            next_log += 1
        if len(actions) >= 5000:
            _flush(actions, links, logs)
            ctx.progress(5000)
    _flush(actions, links, logs)
    # Rows were written in bulk, not through the services: recount every kept summary.
    summary.rebuild()
    _fix_sequences()
    db.session.flush()
    ctx.progress(total % 5000)
    ctx.stats["actions"] = total
    ctx.stats["progress logs"] = next_log - 1


def _flush(actions, links, logs):
    # Core inserts on the tables (no ORM bookkeeping per row), COPY on PostgreSQL.
    insert_rows(ActionItem.__table__, actions)
    insert_rows(action_participants, links)
    insert_rows(ProgressLog.__table__, logs)
    actions.clear()
    links.clear()
    logs.clear()


def _fix_sequences():
    """Explicit ids were inserted; PostgreSQL's sequences must move past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("action_items", "progress_logs"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))
