"""Demo Pledge records: more signatories after the core countries, focal points, and
commitment implementations with mixed statuses, evidence, review dates and linked actions."""

from datetime import timedelta

from sqlalchemy import insert, select

from wg.actions.models import action_participants
from wg.auth.models import Person
from wg.data.seed import PLEDGE_DATE
from wg.extensions import db
from wg.history import services as history
from wg.participants.models import Participant
from wg.pledge.models import (
    CommitmentImplementation,
    FocalPoint,
    ImplementationStatus,
    PledgeCommitment,
    PledgeSignature,
    implementation_actions,
)
from wg.pledge.services import IMPLEMENTATION_FIELDS, SIGNATURE_FIELDS

TITLES = ["Minister of Health", "Minister of Foreign Affairs", "Minister of the Interior",
          "Permanent Representative to the United Nations", "Ambassador",
          "Director General, National Drug Control Agency"]
ORGANIZATION_TITLES = ["Executive Director", "Director-General", "Secretary-General",
                       "President"]
EVIDENCE = {
    "regulate": "National schedule of controlled substances amended to list {n} new precursors.",
    "authorities": "Inter-ministerial review of legal gaps completed; draft bill before "
                   "parliament.",
    "partnerships": "Memorandum of understanding signed with {n} chemical and logistics "
                    "companies.",
    "monitoring": "Early-warning system connected to {n} hospitals and forensic laboratories.",
    "treatment": "Opioid agonist treatment available in {n} additional provinces.",
}
LINKS = ["https://www.unodc.org/LSS/Home/NPS", "https://www.incb.org/incb/en/precursors/",
         "https://www.who.int/health-topics/drugs-psychoactive"]


def add_pledge(ctx):
    """Signatures for about a third of the other participants, implementations for every
    signatory, one focal point per signatory with people (the demo member for Ghana)."""
    rng, today = ctx.rng, ctx.now.date()
    commitments = db.session.scalars(select(PledgeCommitment).order_by(
        PledgeCommitment.number)).all()
    signed = set(db.session.scalars(select(PledgeSignature.participant_id)))
    participants = db.session.scalars(select(Participant).order_by(Participant.code)).all()
    people = {}
    for person_id, participant_id, email in db.session.execute(
            select(Person.id, Person.participant_id, Person.email).order_by(Person.id)):
        people.setdefault(participant_id, []).append((person_id, email))
    days = max(1, (today - PLEDGE_DATE).days)
    for p in participants:
        if p.id in signed or rng.random() > 0.35:
            continue
        signed_on = min(today, PLEDGE_DATE + timedelta(days=rng.randint(0, days)))
        signature = PledgeSignature(
            participant_id=p.id, signed_on=signed_on, signatory_name=signatory_name(rng),
            signatory_title=rng.choice(ORGANIZATION_TITLES if p.kind.value == "organization"
                                       else TITLES),
            instrument_reference=f"Note verbale {p.code}/{signed_on.year}/{rng.randint(10, 999)}",
            recorded_at=ctx.now, version=1)
        db.session.add(signature)
        db.session.flush()
        # Every record has its history, as if recorded through the services.
        history.record(None, "pledge_signature", signature.id, "signed",
                       history.created(history.snapshot(signature, SIGNATURE_FIELDS)),
                       now=ctx.now, label=p.name, parent=("participant", p.id), version=1)
        signed.add(p.id)
    signed_on_of = dict(db.session.execute(select(PledgeSignature.participant_id,
                                                  PledgeSignature.signed_on)).all())

    focal_rows = []
    for p in participants:
        if p.id not in signed or not people.get(p.id):
            continue
        chosen = next((pid for pid, email in people[p.id] if email == "member@example.org"),
                      rng.choice(people[p.id])[0])
        focal_rows.append({"person_id": chosen, "participant_id": p.id,
                           "granted_at": ctx.now})
    if focal_rows:
        db.session.execute(insert(FocalPoint), focal_rows)
        names = dict(db.session.execute(select(Person.id, Person.name).where(
            Person.id.in_([row["person_id"] for row in focal_rows]))).all())
        by_id = {p.id: p for p in participants}
        for row in db.session.execute(select(FocalPoint).where(FocalPoint.participant_id.in_(
                [r["participant_id"] for r in focal_rows]))).scalars():
            history.record(None, "focal_point", row.id, "granted",
                           {"person_id": [None, names.get(row.person_id)]}, now=ctx.now,
                           label=by_id[row.participant_id].name,
                           parent=("participant", row.participant_id))

    actions_of = {}
    for action_id, participant_id in db.session.execute(
            select(action_participants.c.action_id, action_participants.c.participant_id)
            .where(action_participants.c.participant_id.in_(signed))
            .order_by(action_participants.c.action_id).limit(5000)):
        actions_of.setdefault(participant_id, []).append(action_id)
    statuses = list(ImplementationStatus)
    links = []
    for p in participants:
        if p.id not in signed:
            continue
        for c in commitments:
            status = rng.choices(statuses, weights=[3, 5, 3])[0]
            # Reviewed some day since signing (a record starts with the signature).
            since = signed_on_of[p.id]
            reviewed = (None if rng.random() < 0.15 else
                        since + timedelta(days=rng.randint(0, max(0, (today - since).days))))
            evidence = "" if status is ImplementationStatus.not_started else \
                EVIDENCE.get(c.seed_key, "Work under way.").format(n=rng.randint(2, 12))
            record = CommitmentImplementation(
                participant_id=p.id, commitment_id=c.id, status=status, evidence_md=evidence,
                evidence_links=rng.choice(LINKS) if evidence and rng.random() < 0.5 else "",
                last_reviewed_on=reviewed, updated_at=ctx.now, version=1)
            db.session.add(record)
            db.session.flush()
            history.record(None, "implementation", record.id, "created",
                           history.created(history.snapshot(record, IMPLEMENTATION_FIELDS)),
                           now=ctx.now, label=f"{p.name} · {c.number}",
                           parent=("participant", p.id), version=1)
            if actions_of.get(p.id) and status is not ImplementationStatus.not_started \
                    and rng.random() < 0.4:
                links.append({"implementation_id": record.id,
                              "action_id": rng.choice(actions_of[p.id])})
    if links:
        db.session.execute(insert(implementation_actions), links)
    db.session.flush()
    ctx.stats["pledge_signatures"] = len(signed)
    ctx.stats["focal_points"] = len(focal_rows)


def signatory_name(rng):
    first = rng.choice(["Amina", "Carlos", "Mei", "Olga", "Rahul", "Sarah", "Yusuf", "Elena",
                        "Kofi", "Ana", "Pierre", "Fatima", "Ivan", "Li", "Grace", "Diego"])
    last = rng.choice(["Diallo", "García", "Wang", "Petrova", "Sharma", "Smith", "Haddad",
                       "Rossi", "Mensah", "Silva", "Dubois", "Khan", "Ivanov", "Chen", "Okafor"])
    return f"{first} {last}"
