"""Demo documents: small generated PDFs and text files on some meetings, agenda items, actions,
decisions and commitment implementations (a few hundred at scale 1), some with a second
version, and the signed instrument of most Pledge signatures, written to the configured
store."""

from datetime import timedelta

from sqlalchemy import select

from wg.actions.models import ActionItem
from wg.auth.models import Person
from wg.decisions.models import Decision
from wg.documents import services as documents
from wg.documents import text
from wg.extensions import db
from wg.groups.models import Membership, Role
from wg.meetings.models import AgendaItem, Meeting
from wg.pledge.models import CommitmentImplementation, PledgeSignature

MEETING_TITLES = ["Background paper", "Slides", "Draft conclusions", "Pre-read", "Annotated agenda"]
ITEM_TITLES = ["Briefing note", "Presentation", "Data table", "Country submission"]
ACTION_TITLES = ["Progress report", "Draft guidance", "Survey results", "Terms of reference"]
DECISION_TITLES = ["Decision text as adopted", "Supporting note"]
IMPLEMENTATION_TITLES = ["National action plan", "Implementation report", "Evidence summary"]
INSTRUMENT_TITLES = ["Signed Pledge", "Note verbale", "Letter of endorsement"]


def _escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_pdf(title):
    """A one-page PDF showing `title` (ASCII), built by hand with a correct xref table."""
    text = _escape(title.encode("ascii", "replace").decode("ascii"))
    stream = f"BT /F1 14 Tf 40 150 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 200]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


def _file(rng, title, label):
    if rng.random() < 0.7:
        return tiny_pdf(f"{title} - {label}"), f"{title}.pdf"
    return f"{title}\n\n{label}\n".encode(), f"{title}.txt"


def _all(model):
    return db.session.scalars(select(model).order_by(model.id)).all()


def _sample(rng, rows, count):
    rows = list(rows)
    return rows if len(rows) <= count else rng.sample(rows, count)


def _sample_rows(rng, model, count):
    """_sample over every row of `model`, drawing ids first and loading only the rows drawn
    (the same draws as sampling the loaded objects: a million actions at scale 100)."""
    ids = _sample(rng, db.session.scalars(select(model.id).order_by(model.id)), count)
    loaded = {row.id: row for start in range(0, len(ids), 1000) for row in db.session.scalars(
        select(model).where(model.id.in_(ids[start:start + 1000])))}
    return [loaded[i] for i in ids]


def add_documents(ctx):
    with text.files_we_made():  # the demo's own tiny PDFs: no child process per file
        return _add_documents(ctx)


def _add_documents(ctx):
    rng, now = ctx.rng, ctx.now
    chairs = {}
    for group_id, person in db.session.execute(select(Membership.group_id, Person).join(
            Person, Person.id == Membership.person_id).where(Membership.role == Role.chair)
            .order_by(Membership.group_id, Person.id)).all():
        chairs.setdefault(group_id, person)
    coordinator = db.session.scalar(select(Person).where(Person.is_coordinator.is_(True))
                            .order_by(Person.id))
    count = lambda n, low: max(low, round(n * ctx.scale))  # noqa: E731
    added = 0

    def attach(parent_type, parent, titles, label, actor, when):
        nonlocal added
        title = rng.choice(titles)
        data, name = _file(rng, title, label)
        document = documents.upload_document(parent_type, parent, actor, data, name, title,
                                             "", when)
        added += 1
        if rng.random() < 0.2:
            later = min(when + timedelta(days=rng.randint(1, 5)), now)  # never ahead
            data, name = _file(rng, f"{title} rev 2", label)
            documents.upload_version(document, parent, actor, data, name, "Revised", later)
        return document

    meetings = db.session.scalars(select(Meeting).where(
        Meeting.agenda_published_at.is_not(None)).order_by(Meeting.id)).all()
    for meeting in _sample(rng, meetings, count(60, 3)):
        attach("meeting", meeting, MEETING_TITLES, meeting.title, chairs.get(meeting.group_id),
               min(meeting.agenda_published_at, now))
    items = db.session.scalars(select(AgendaItem).join(Meeting).where(
        Meeting.agenda_published_at.is_not(None)).order_by(AgendaItem.id)).all()
    for item in _sample(rng, items, count(60, 3)):
        attach("agenda_item", item, ITEM_TITLES, item.title, chairs.get(item.meeting.group_id),
               min(item.meeting.agenda_published_at, now))
    for action in _sample_rows(rng, ActionItem, count(60, 3)):
        attach("action", action, ACTION_TITLES, action.title,
               action.owner or chairs.get(action.group_id), min(action.created_at, now))
    for decision in _sample(rng, _all(Decision), count(30, 2)):
        attach("decision", decision, DECISION_TITLES, decision.reference,
               chairs.get(decision.group_id) or coordinator, min(decision.created_at, now))
    for record in _sample(rng, _all(CommitmentImplementation), count(30, 2)):
        attach("commitment_implementation", record, IMPLEMENTATION_TITLES,
               record.participant.name, coordinator, min(record.updated_at, now))
    # Drawn last, so the documents above are the same as before signatures had any.
    for signature in _all(PledgeSignature):
        if rng.random() < 0.8:  # a scan of the signed letter: a PDF, one version
            title = rng.choice(INSTRUMENT_TITLES)
            data = tiny_pdf(f"{title} - {signature.instrument_reference or signature.participant.name}")
            documents.upload_document("pledge_signature", signature,
                                      signature.recorded_by or coordinator, data, f"{title}.pdf",
                                      title, "", min(signature.recorded_at, now))
            added += 1
    ctx.stats["documents"] = added
    ctx.progress(1)

