"""The real coalition structure. Idempotent: running it twice changes nothing."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from wg.extensions import db
from wg.groups.models import Group
from wg.groups.services import slug_for_code
from wg.participants.models import Participant, ParticipantKind
from wg.participants.services import country_participant

PLEDGE_DATE = date(2024, 9, 24)

# The Coalition Pledge's commitments (September 2024): seed key and English text. The texts are
# read in the reader's language (the catalogs) until a coordinator rewords one.
def N_(text):
    """Marks a text for the catalogs (pybabel's N_ keyword) without translating it here."""
    return text


PLEDGE_COMMITMENTS = [
    ("regulate", N_("Regulate all relevant drugs and precursor chemicals.")),
    ("authorities", N_("Take the steps needed to fill gaps in domestic authorities.")),
    ("partnerships", N_("Expand public-private partnerships against the illicit supply chain.")),
    ("monitoring", N_("Develop mechanisms to monitor real-time data on trends in illicit drug "
                      "use.")),
    ("treatment", N_("Expand access to treatment.")),
]
LAUNCH_DATE = date(2023, 7, 7)

WORKING_GROUPS = [
    ("WG1", "Disrupt the supply: prevent illicit manufacture and trafficking of synthetic drugs", [
        ("SWG1.1", "Manufacturing of synthetic drugs and their precursors"),
        ("SWG1.2", "Trafficking of synthetic drugs and their precursors"),
    ]),
    ("WG2", "Detect emerging drug threats and use patterns", [
        ("SWG2.1", "Data collection, analysis and trends, including early warning"),
        ("SWG2.2", "Information sharing, interagency collaboration and policy formulation"),
    ]),
    ("WG3", "Prevent and treat: public health interventions and services", [
        ("SWG3.1", "Preventing drug use"),
        ("SWG3.2", "Engaging people with substance use and substance use disorders"),
        ("SWG3.3", "Populations in contact with the criminal justice system, "
                   "including alternatives to incarceration"),
    ]),
]

# Alpha-3 codes; names come from pycountry.
CORE_COUNTRIES = ["AUS", "BEL", "CAN", "DOM", "GHA", "IND", "ITA", "MEX", "NLD", "ARE", "GBR"]
OTHER_SEED_COUNTRIES = ["USA"]

ORGANIZATIONS = [
    ("UNODC", "United Nations Office on Drugs and Crime"),
    ("INCB", "International Narcotics Control Board"),
    ("WHO", "World Health Organization"),
    ("PAHO", "Pan American Health Organization"),
    ("INTERPOL", "International Criminal Police Organization"),
    ("WCO", "World Customs Organization"),
    ("UPU", "Universal Postal Union"),
    ("ICAO", "International Civil Aviation Organization"),
    ("IMO", "International Maritime Organization"),
    ("EUDA", "European Union Drugs Agency"),
    ("EUROPOL", "European Union Agency for Law Enforcement Cooperation"),
    ("CICAD", "Inter-American Drug Abuse Control Commission (OAS)"),
    ("AU", "African Union Commission"),
    ("ASEAN", "ASEAN Secretariat"),
    ("COLOMBO", "Colombo Plan Drug Advisory Programme"),
]


def seed_structure():
    """Create the working groups, core countries and organizations that are missing.

    Returns the number of rows added; existing rows (possibly edited by coordinators) are kept.
    """
    added = 0
    existing_groups = {g.code: g for g in db.session.scalars(select(Group))}
    position = 0
    for wg_code, wg_title, subgroups in WORKING_GROUPS:
        position += 1
        parent = existing_groups.get(wg_code)
        if parent is None:
            parent = Group(code=wg_code, slug=slug_for_code(wg_code), title=wg_title,
                           position=position * 10)
            db.session.add(parent)
            existing_groups[wg_code] = parent
            added += 1
        for i, (code, title) in enumerate(subgroups, start=1):
            if code not in existing_groups:
                group = Group(code=code, slug=slug_for_code(code), title=title, parent=parent,
                              position=position * 10 + i)
                db.session.add(group)
                existing_groups[code] = group
                added += 1

    existing_codes = set(db.session.scalars(select(Participant.code)))
    for code in CORE_COUNTRIES:
        if code not in existing_codes:
            db.session.add(country_participant(code, is_core=True, joined_date=LAUNCH_DATE))
            added += 1
    for code in OTHER_SEED_COUNTRIES:
        if code not in existing_codes:
            db.session.add(country_participant(code, is_core=False, joined_date=LAUNCH_DATE))
            added += 1
    for code, name in ORGANIZATIONS:
        if code not in existing_codes:
            db.session.add(Participant(code=code, name=name, kind=ParticipantKind.organization,
                                       joined_date=LAUNCH_DATE))
            added += 1
    db.session.flush()
    added += seed_pledge()
    return added


def seed_pledge():
    """The Pledge's five commitments and the core countries' signatures of 24 September 2024,
    where missing (a signature recorded, corrected or removed since is left as it is)."""
    from wg.history import services as history
    from wg.pledge.models import PledgeCommitment, PledgeSignature

    added = 0
    existing = {c.seed_key for c in db.session.scalars(select(PledgeCommitment))}
    numbers = set(db.session.scalars(select(PledgeCommitment.number)))
    for number, (key, text) in enumerate(PLEDGE_COMMITMENTS, start=1):
        if key in existing or number in numbers:
            continue
        db.session.add(PledgeCommitment(number=number, seed_key=key, text=text, version=1))
        added += 1
    if db.session.scalar(select(PledgeSignature.id).limit(1)) is None:
        now = datetime.now(UTC)
        core = db.session.scalars(select(Participant).where(
            Participant.code.in_(CORE_COUNTRIES))).all()
        for participant in core:
            signature = PledgeSignature(participant_id=participant.id, signed_on=PLEDGE_DATE,
                                        recorded_at=now, version=1)
            db.session.add(signature)
            db.session.flush()
            history.record(None, "pledge_signature", signature.id, "signed",
                           history.created({"signed_on": PLEDGE_DATE}), now=now,
                           label=participant.name, parent=("participant", participant.id),
                           version=1)
            added += 1
    db.session.flush()
    return added


# --- The core countries' initiatives (issue 14), announced with the Pledge --------------------

# (leading country, line of effort, sub-groups, title, goal)
INITIATIVES = [
    ("AUS", "WG1", ["SWG1.2"], "Regional coalition against synthetic drug transit routes in the "
     "Pacific", "Bring the Pacific countries together against the routes that carry synthetic "
     "drugs and precursors through the region."),
    ("BEL", "WG1", ["SWG1.1"], "Protecting chemicals from diversion through ports and trade",
     "Keep the chemicals that pass through major ports and trade hubs from being diverted to "
     "illicit manufacture."),
    ("DOM", "WG1", ["SWG1.2"], "Regional coalition against synthetic drug transit routes in the "
     "Caribbean", "Join the Caribbean countries against the transit routes of synthetic drugs "
     "and their precursors."),
    ("IND", "WG1", ["SWG1.1"], "Protecting precursor chemicals from diversion",
     "Protect the chemical and pharmaceutical industry's precursors from diversion, with "
     "industry and regulators."),
    ("MEX", "WG1", ["SWG1.1"], "Detecting synthetic drug production sites",
     "Find and dismantle clandestine laboratories sooner, by sharing detection methods."),
    ("NLD", "WG1", ["SWG1.1"], "Detecting and dismantling production sites",
     "Share forensic and dismantling practice for synthetic drug production sites and their "
     "waste."),
    ("GBR", "WG1", ["SWG1.2"], "Regional coalitions against maritime and air transit routes",
     "Disrupt the maritime, air and postal routes that carry synthetic drugs, with regional "
     "partners."),
    ("ITA", "WG2", ["SWG2.1"], "Helping others build early-warning systems",
     "Help countries build national early-warning systems that detect emerging threats such as "
     "nitazenes."),
    ("GHA", "WG2", ["SWG2.1", "SWG2.2"], "Detecting emerging drug threats in West Africa",
     "Detect emerging drug threats and use patterns in West Africa and share them."),
    ("CAN", "WG3", ["SWG3.1", "SWG3.2"], "Public-health interventions against synthetic drug "
     "harms", "Scale up public-health interventions that prevent synthetic drug harms."),
    ("ARE", "WG3", ["SWG3.2"], "Access to life-saving medication",
     "Widen access to life-saving medication such as naloxone and to treatment."),
]


def seed_initiatives(now):
    """The eleven initiatives the core countries announced (idempotent: by title).

    Created through the initiatives service (history entries by "system"), dated from the
    Pledge, 24 September 2024. Returns the number added."""
    from wg.initiatives import services as initiatives
    from wg.initiatives.models import Initiative

    existing = set(db.session.scalars(select(Initiative.title)))
    groups = {g.code: g for g in db.session.scalars(select(Group))}
    participants = {p.code: p for p in db.session.scalars(select(Participant))}
    added = 0
    for code, group_code, sub_codes, title, goal in INITIATIVES:
        if title in existing or group_code not in groups or code not in participants:
            continue
        initiatives.create_initiative(None, initiatives.InitiativeInput(
            title=title, goal_md=goal, group_id=groups[group_code].id,
            subgroup_ids=[groups[c].id for c in sub_codes if c in groups],
            lead_ids=[participants[code].id], start_date=PLEDGE_DATE, status="active"), now)
        added += 1
    db.session.flush()
    return added
