"""Documents through the web: upload, list, download, versions, permissions, limits, history."""

import io
import re
from datetime import date
from urllib.parse import quote

from sqlalchemy import select

from tests import factories
from tests.conftest import NOW, CSRFClient
from tests.documents import helpers
from tests.meetings.helpers import meeting_input
from wg.documents.models import Document, DocumentVersion
from wg.extensions import db
from wg.history.models import HistoryEntry
from wg.meetings import services as meetings
from wg.meetings.models import Meeting


def _world(app):
    with app.app_context():
        c = factories.coalition()
        g, people = c["groups"], c["people"]
        meeting = meetings.add_extra_meeting(g["SWG1.1"], people["chair"],
                                             meeting_input(day=date(2026, 2, 3)), NOW)
        action = factories.action(g["SWG1.1"], owner=people["member"])
        db.session.commit()
        return {"meeting": meeting.id, "action": action.id,
                "emails": {k: p.email for k, p in people.items()}}


def _as(app, email):
    """A fresh browser session logged in as `email`."""
    web = CSRFClient(app.test_client())
    response = web.post("/login", {"email": email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    return web


def _key(web, page):
    html = web.get(page).get_data(as_text=True)
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)


def _upload(web, parent, parent_id, data, name, title="", note="", key=None, page=None):
    page = page or f"/meetings/{parent_id}"
    form = {"title": title, "note": note, "file": (io.BytesIO(data), name)}
    if key:
        form["idempotency_key"] = key
    return web.post(f"/documents/new/{parent}/{parent_id}", form, form_page=page,
                    content_type="multipart/form-data")


def test_chair_uploads_member_downloads_outsider_cannot(app, login):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    response = _upload(chair, "meeting", w["meeting"], helpers.PDF, "pre-read.pdf",
                       title="Pre-read: seizure data")
    assert response.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document))
        version = document.versions[0]
        assert (document.parent_type, document.parent_id) == ("meeting", w["meeting"])
        assert version.content_type == "application/pdf" and version.size == len(helpers.PDF)
        assert version.filename == "pre-read.pdf"
        doc_id = document.id
        entry = db.session.scalar(select(HistoryEntry).where(
            HistoryEntry.object_type == "document"))
        assert entry.verb == "created" and entry.parent_type == "meeting"
        assert entry.parent_id == w["meeting"]

    member = _as(app, w["emails"]["member"])
    page = member.get(f"/meetings/{w['meeting']}").get_data(as_text=True)
    assert "Pre-read: seizure data" in page and "Add a document" not in page
    download = member.get(f"/documents/{doc_id}/versions/1/download")
    assert download.status_code == 200 and download.data == helpers.PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("inline;")
    # A member may not add documents to the meeting (only its chairs).
    assert _upload(member, "meeting", w["meeting"], helpers.PDF, "x.pdf").status_code == 403

    # A member of another group sees neither the meeting nor its document.
    other = _as(app, w["emails"]["other_member"])
    assert other.get(f"/documents/{doc_id}/versions/1/download").status_code == 403
    assert other.get(f"/documents/{doc_id}").status_code == 403
    assert other.get(f"/documents/{doc_id}/versions/9/download").status_code == 403
    assert other.get("/documents/999/versions/1/download").status_code == 404


def test_type_by_content_and_the_size_limit(app, login, monkeypatch):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    # An .exe renamed .pdf is refused, with the reason next to the field.
    response = _upload(chair, "meeting", w["meeting"], helpers.EXE, "agenda.pdf", title="Bad")
    assert response.status_code == 422
    assert "This kind of file is not accepted" in response.get_data(as_text=True)
    # A PNG named .pdf is kept as a PNG (and its name gets the right extension).
    assert _upload(chair, "meeting", w["meeting"], helpers.PNG, "chart.pdf").status_code == 302
    # More than the 1 MB form limit is fine on the upload route...
    big = helpers.PDF + b"%" + b"x" * (1536 * 1024)
    assert _upload(chair, "meeting", w["meeting"], big, "big.pdf").status_code == 302
    with app.app_context():
        kinds = {v.filename: v.content_type for v in db.session.scalars(select(DocumentVersion))}
        assert kinds == {"chart.png": "image/png", "big.pdf": "application/pdf"}
    # ...but not past DOCUMENT_MAX_BYTES: 413, with a clear page.
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 100 * 1024)
    response = _upload(chair, "meeting", w["meeting"], big, "big.pdf")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    # Over the document limit but under the request limit: a form error.
    small_big = helpers.PDF + b"%" + b"x" * (110 * 1024)
    response = _upload(chair, "meeting", w["meeting"], small_big, "big.pdf")
    assert response.status_code == 422 and "The file is too large" in response.get_data(
        as_text=True)
    # Other forms keep their 1 MB limit.
    response = chair.post(f"/meetings/{w['meeting']}/rsvp", {"answer": "x" * (1100 * 1024)},
                          form_page=f"/meetings/{w['meeting']}")
    assert response.status_code == 413


def test_repeat_versions_non_ascii_name_and_removal(app, login):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    page = f"/meetings/{w['meeting']}"
    key = _key(chair, page)
    for _attempt in range(2):  # the same form sent twice records one document
        assert _upload(chair, "meeting", w["meeting"], b"Ordre du jour\n", "odj.txt",
                       title="Ordre du jour — réunion", key=key).status_code == 302
    with app.app_context():
        assert db.session.query(Document).count() == 1
        document = db.session.scalar(select(Document))
        doc_id, doc_version = document.id, document.version
    download = chair.get(f"/documents/{doc_id}/versions/1/download")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Ordre du jour — réunion.txt", safe="") in disposition
    assert 'filename="Ordre du jour  runion.txt"' in disposition

    # A new version; the first stays downloadable.
    response = chair.post(f"/documents/{doc_id}/versions", {
        "file": (io.BytesIO(b"Ordre du jour v2\n"), "odj2.txt"), "note": "Item 3 added",
        "idempotency_key": _key(chair, page), "version": str(doc_version)},
        form_page=page, content_type="multipart/form-data")
    assert response.status_code == 302
    assert chair.get(f"/documents/{doc_id}/versions/1/download").data == b"Ordre du jour\n"
    assert chair.get(f"/documents/{doc_id}/versions/2/download").data == b"Ordre du jour v2\n"
    assert "Item 3 added" in chair.get(f"/documents/{doc_id}").get_data(as_text=True)
    history_page = chair.get(f"/history/document/{doc_id}").get_data(as_text=True)
    assert "Item 3 added" in history_page
    assert "Ordre du jour — réunion" in chair.get(
        f"/history/meeting/{w['meeting']}").get_data(as_text=True)

    # Removing with a stale version is refused; with the current one it hides the document.
    stale = chair.post(f"/documents/{doc_id}/remove", {"version": str(doc_version)},
                       form_page=page)
    assert stale.status_code == 302
    assert chair.get(f"/documents/{doc_id}").status_code == 200
    with app.app_context():
        current = db.session.get(Document, doc_id).version
    assert chair.post(f"/documents/{doc_id}/remove", {"version": str(current)},
                      form_page=page).status_code == 302
    assert chair.get(f"/documents/{doc_id}/versions/1/download").status_code == 404
    with app.app_context():
        verbs = [e.verb for e in db.session.scalars(select(HistoryEntry).where(
            HistoryEntry.object_type == "document").order_by(HistoryEntry.id))]
        assert verbs == ["created", "updated", "deleted"]


def test_action_owner_attaches_a_document(app, login):
    w = _world(app)
    member = _as(app, w["emails"]["member"])
    page = f"/actions/{w['action']}"
    assert "Add a document" in member.get(page).get_data(as_text=True)
    assert _upload(member, "action", w["action"], helpers.docx(), "report.docx",
                   title="Country report", page=page).status_code == 302
    html = member.get(page).get_data(as_text=True)
    assert "Country report" in html
    other = _as(app, w["emails"]["other_member"])
    assert _upload(other, "action", w["action"], helpers.PDF, "x.pdf",
                   page="/").status_code == 403


def test_agenda_item_and_decision_documents_follow_their_parents(app):
    from wg.decisions import services as decisions

    with app.app_context():
        c = factories.coalition()
        chair = c["people"]["chair"]
        meeting = meetings.add_extra_meeting(c["groups"]["SWG1.1"], chair,
                                             meeting_input(day=date(2026, 2, 3)), NOW)
        item = meetings.add_agenda_item(meeting, chair, meetings.AgendaInput("Statistics"), NOW)
        decision = decisions.record_decision(c["groups"]["SWG1.1"], chair, decisions.DecisionInput(
            text="Share the data", decided_on=date(2026, 1, 5)), NOW)
        db.session.commit()
        ids = {"meeting": meeting.id, "item": item.id, "decision": decision.id}
    chair_web = _as(app, "chair@example.org")
    page = f"/meetings/{ids['meeting']}"
    assert _upload(chair_web, "agenda_item", ids["item"], helpers.PDF, "stats.pdf",
                   title="Statistics table").status_code == 302
    assert _upload(chair_web, "decision", ids["decision"], helpers.PDF, "d.pdf",
                   title="Adopted text", page=page).status_code == 302
    with app.app_context():
        item_doc = db.session.scalar(select(Document).where(
            Document.parent_type == "agenda_item")).id
        decision_doc = db.session.scalar(select(Document).where(
            Document.parent_type == "decision")).id
    member = _as(app, "member@example.org")
    # The agenda is not published yet: its items' documents are for the chairs only.
    assert member.get(f"/documents/{item_doc}/versions/1/download").status_code == 403
    assert chair_web.get(f"/documents/{item_doc}/versions/1/download").status_code == 200
    # A decision recorded in the register is seen by the group; only its recorders add files.
    assert member.get(f"/documents/{decision_doc}/versions/1/download").status_code == 200
    assert "Adopted text" in member.get(f"/decisions/{ids['decision']}").get_data(as_text=True)
    assert _upload(member, "decision", ids["decision"], helpers.PDF, "x.pdf",
                   page=page).status_code == 403
    with app.app_context():
        meetings.publish_agenda(db.session.get(Meeting, ids["meeting"]), None, NOW)
        db.session.commit()
    assert member.get(f"/documents/{item_doc}/versions/1/download").status_code == 200
    assert "Statistics table" in member.get(page).get_data(as_text=True)


def test_over_the_limit_says_the_limit_and_leads_back_only_within_the_site(app, login,
                                                                          monkeypatch):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024 * 1024)
    page = f"/meetings/{w['meeting']}"
    assert "at most 1 MB" in chair.get(page).get_data(as_text=True)  # the field's help says it
    big = helpers.PDF + b"%" + b"x" * (2 * 1024 * 1024)
    form = {"title": "Annex", "file": (io.BytesIO(big), "annex.pdf")}
    response = chair.post(f"/documents/new/meeting/{w['meeting']}", dict(form), form_page=page,
                          content_type="multipart/form-data",
                          headers={"Referer": f"http://localhost{page}?tab=1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "documents may be at most 1 MB. Nothing was uploaded." in html
    assert f'href="{page}?tab=1">Go back</a>' in html
    form = {"title": "Annex", "file": (io.BytesIO(big), "annex.pdf")}
    response = chair.post(f"/documents/new/meeting/{w['meeting']}", form, form_page=page,
                          content_type="multipart/form-data",
                          headers={"Referer": "https://evil.example/phish"})
    assert response.status_code == 413 and "Go back" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Document)) is None


def test_document_page_names_its_parent_and_lets_editors_act(app, login):
    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    assert _upload(chair, "meeting", w["meeting"], helpers.PDF, "p.pdf",
                   title="Pre-read").status_code == 302
    with app.app_context():
        doc_id = db.session.scalar(select(Document.id))
        meeting = db.session.get(Meeting, w["meeting"])
        where = f"{meeting.title} · SWG1.1 · 3 Feb 2026"
    html = chair.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert where in html and 'aria-label="Breadcrumb"' in html
    assert "Upload new version" in html and "Yes, remove it" in html
    response = chair.post(f"/documents/{doc_id}/remove", {"version": "1"},
                          form_page=f"/documents/{doc_id}")
    assert response.status_code == 302
    member = _as(app, w["emails"]["member"])
    assert member.get(f"/documents/{doc_id}").status_code == 404  # removed
    assert _upload(chair, "meeting", w["meeting"], helpers.PDF, "q.pdf",
                   title="Slides").status_code == 302
    with app.app_context():
        doc_id = db.session.scalar(select(Document.id).where(Document.deleted.is_(False)))
    html = member.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert where in html and "Upload new version" not in html and "Yes, remove it" not in html
