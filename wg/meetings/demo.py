"""Demo meetings: a series per group, 18 months of held meetings and the coming year.

Bulk inserts throughout, so scale 10 (the benchmark's data) stays quick.
"""

from collections import defaultdict
from datetime import time, timedelta

from sqlalchemy import bindparam, select

from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Group, Membership, Role
from wg.meetings import recurrence, services
from wg.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingStatus,
    Representation,
    Rsvp,
    RsvpAnswer,
)

# code -> (rule kind, week, weekday, month day, start, zone, minutes)
SCHEDULES = {
    "SWG1.1": ("weekday", 2, 1, None, time(14, 0), "Europe/Vienna", 90),
    "SWG1.2": ("weekday", 3, 2, None, time(15, 0), "Europe/Vienna", 90),
    "SWG2.1": ("weekday", 1, 3, None, time(13, 0), "Europe/London", 90),
    "SWG2.2": ("weekday", -1, 1, None, time(9, 0), "America/New_York", 60),
    "SWG3.1": ("monthday", None, None, 15, time(14, 0), "Europe/Vienna", 90),
    "SWG3.2": ("weekday", 2, 3, None, time(8, 0), "Asia/Dubai", 90),
    "SWG3.3": ("weekday", 4, 0, None, time(16, 0), "Europe/Vienna", 90),
    "WG1": ("weekday", 1, 0, None, time(13, 0), "Europe/Vienna", 120),
    "WG2": ("weekday", 1, 2, None, time(14, 0), "Europe/Zurich", 120),
    "WG3": ("monthday", None, None, 31, time(12, 0), "UTC", 120),
}
TOPICS = [
    "Update on precursor scheduling", "Nitazene early-warning signals",
    "Dark-web marketplace trends",
    "Postal and express-consignment screening", "Wastewater analysis results",
    "Naloxone distribution programmes", "Drug-checking services pilot", "Legislative review",
    "Forensic laboratory capacity", "Alternatives to incarceration: country experiences",
    "Stigma reduction campaign", "Data-sharing agreement", "Treatment access in prisons",
    "Industry outreach on pill presses", "Financial flows and crypto-assets",
    "Youth prevention curriculum", "Tour de table: national updates", "Any other business",
]
PRESENTERS = ["Chair", "UNODC", "INCB", "WHO", "Secretariat", "Co-chair", "EUDA", "INTERPOL"]
DECISIONS = [
    "Adopt the updated precursor watch list and share it with all participants.",
    "Set up a task team to draft the early-warning protocol by the next meeting.",
    "Circulate the questionnaire on treatment services to all focal points.",
    "Invite the private sector to brief the group on pill-press controls.",
    "Endorse the outline of the good-practice compendium.",
    "Hold an extra session on nitazene detection methods.",
]


def _minutes_text(group_code, day, topics, rng):
    lines = [f"## {group_code} monthly meeting, {day:%d %B %Y}", "",
             "The chair opened the meeting and welcomed new participants.", ""]
    for topic in topics:
        lines.append(f"**{topic}.** " + rng.choice([
            "Participants exchanged national experiences and agreed on next steps.",
            "The presenter summarised recent data; several members asked for the slides.",
            "Discussion was postponed to the next meeting for lack of time.",
            "Members welcomed the progress and offered to contribute case studies.",
        ]))
        lines.append("")
    lines += ["### Next steps", "", "- Secretariat to circulate the presentations",
              "- Focal points to send comments within two weeks"]
    return "\n".join(lines)


def add_meetings(ctx):
    """Series for all seven sub-groups and three working groups; 18 months of history."""
    rng, now = ctx.rng, ctx.now
    groups = {g.code: g for g in db.session.scalars(select(Group).where(Group.is_active.is_(True)))}
    members = defaultdict(list)  # group id -> [(person id, participant id)]
    for gid, pid, part in db.session.execute(
            select(Membership.group_id, Person.id, Person.participant_id)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.role.in_([Role.member, Role.chair]),
                   Person.is_active_account.is_(True))):
        members[gid].append((pid, part))
    first = recurrence.add_months(now.date(), -18)
    agenda_rows, decision_rows, attendance_rows, repr_rows, rsvp_rows, updates = \
        [], [], [], [], [], []
    stats = defaultdict(int)
    numbers = defaultdict(int)  # (group id, year) -> last decision number
    for code, (kind, week, weekday, month_day, start, zone, minutes) in SCHEDULES.items():
        group = groups.get(code)
        if group is None:
            continue
        data = services.SeriesInput(
            title="Working group meeting" if group.parent_id is None else "Monthly meeting",
            rule_kind=kind, week=week, weekday=weekday,
            month_day=month_day, start_time=start, timezone=zone, duration_minutes=minutes,
            place="Online", video_url=f"https://meet.example.org/{group.slug}",
            first_date=first, last_date=None)
        series = services.create_series(group, None, data, now, include_past=True)
        rows = db.session.execute(select(Meeting.id, Meeting.start_at, Meeting.occurrence_date)
                                  .where(Meeting.series_id == series.id)
                                  .order_by(Meeting.start_at)).all()
        people = members.get(group.id, [])
        rate = rng.uniform(0.35, 0.6)
        past = [r for r in rows if r.start_at < now]
        cancelled = rng.choice(past[2:-2]) if len(past) > 5 else None
        for index, (mid, start_at, day) in enumerate(rows):
            is_past = start_at < now
            topics = rng.sample(TOPICS[:-2], k=rng.randint(2, 4)) + [TOPICS[-2], TOPICS[-1]]
            if cancelled is not None and mid == cancelled.id:
                updates.append(dict(id=mid, status=MeetingStatus.cancelled, is_edited=True,
                                    sequence=1, cancel_reason="Postponed: clashes with the "
                                    "Commission on Narcotic Drugs session."))
                continue
            next_meeting = not is_past and (index == 0 or rows[index - 1].start_at < now)
            if is_past or next_meeting:
                for pos, topic in enumerate(topics, start=1):
                    agenda_rows.append(dict(
                        meeting_id=mid, position=pos, title=topic,
                        presenter=rng.choice(PRESENTERS), minutes_allotted=rng.choice(
                            [10, 15, 20, 30]), link="", notes="",
                        # The last meeting leaves a couple of items unfinished for the backlog.
                        is_done=is_past and not (index == len(past) - 1 and pos in (2, 3)),
                        carried_from_id=None))
            if next_meeting:
                updates.append(dict(id=mid, agenda_published_at=now - timedelta(days=2)))
                for pid, _ in rng.sample(people, k=min(len(people), len(people) // 3)):
                    rsvp_rows.append(dict(meeting_id=mid, person_id=pid, answered_at=now,
                                          answer=rng.choice(list(RsvpAnswer))))
            if not is_past:
                continue
            present = [p for p in people if rng.random() < rate]
            attendance_rows += [dict(meeting_id=mid, person_id=p) for p, _ in present]
            repr_rows += [dict(meeting_id=mid, participant_id=part)
                          for part in sorted({part for _, part in present})]
            text = _minutes_text(code, day, topics[:-2], rng)
            updates.append(dict(
                id=mid, status=MeetingStatus.held, agenda_published_at=start_at - timedelta(
                    days=5), minutes_md=text, minutes_html=services.render_markdown(text),
                minutes_published_at=start_at + timedelta(days=3),
                attendance_recorded_at=start_at + timedelta(hours=2)))
            for pos, decision in enumerate(rng.sample(DECISIONS, k=rng.randint(1, 2)), start=1):
                # Numbered per group and year in the order taken (as wg.decisions numbers them).
                numbers[(group.id, day.year)] += 1
                decision_rows.append(dict(
                    meeting_id=mid, position=pos, text=decision,
                    text_html=services.render_markdown(decision), group_id=group.id,
                    year=day.year, number=numbers[(group.id, day.year)], decided_on=day,
                    created_at=start_at + timedelta(hours=1),
                    updated_at=start_at + timedelta(hours=1)))
        stats["meetings"] += len(rows)
        ctx.progress(1)
    for model, payload in ((AgendaItem, agenda_rows), (Decision, decision_rows),
                           (Attendance, attendance_rows), (Representation, repr_rows),
                           (Rsvp, rsvp_rows)):
        # Core inserts on the table: no ORM bookkeeping per row (several times faster).
        for start in range(0, len(payload), 10000):
            db.session.execute(model.__table__.insert(), payload[start:start + 10000])
    # Written in bulk, not through the service: the groups' attendance stamps are set here.
    from wg import stamps
    from wg.meetings.services.attendance import attendance_scope

    stamps.bump(*[attendance_scope(g) for g in db.session.scalars(select(Group.id))])
    # Group the updates by their set of columns so each batch is one executemany.
    batches = defaultdict(list)
    for row in updates:
        batches[tuple(sorted(row))].append(row)
    # Core UPDATEs: Meeting is versioned (version_id_col), which ORM bulk updates would check.
    table = Meeting.__table__
    for rows in batches.values():
        cols = [k for k in rows[0] if k != "id"]
        stmt = table.update().where(table.c.id == bindparam("b_id")).values(
            {c: bindparam(f"b_{c}") for c in cols})
        db.session.execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in rows])
    db.session.flush()
    ctx.stats["meetings"] = stats["meetings"]
    ctx.stats["attendance"] = len(attendance_rows)
