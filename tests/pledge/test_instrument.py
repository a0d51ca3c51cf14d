"""The signed instrument of a Pledge signature (a letter, a note verbale) as a document of the
signature: who attaches it, who reads it, and that it goes when the signature is withdrawn."""

import io

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import NOW, CSRFClient
from tests.documents import helpers
from wg.auth.models import Person
from wg.documents import services as documents
from wg.documents.models import Document
from wg.extensions import db
from wg.history.models import HistoryEntry
from wg.participants.models import Participant
from wg.pledge import services as pledge
from wg.pledge.models import PledgeSignature
from wg.search import services as search

ROLES = ["coordinator", "lead", "chair", "member", "other_member", "outsider"]


@pytest.fixture()
def coalition(app):
    with app.app_context():
        c = factories.coalition()
        ghana = factories.participant("GHA")
        pledge.grant_focal_point(c["people"]["member"], ghana, c["people"]["coordinator"],
                                 now=NOW)
        db.session.commit()
        signature = pledge.signature_of(ghana)
        assert signature is not None  # a core country: signed on 2024-09-24
        return {"emails": {role: p.email for role, p in c["people"].items()},
                "signature": signature.id}


def _upload(web, signature_id, title="Note verbale GHA/2024/17"):
    return web.post(f"/documents/new/pledge_signature/{signature_id}",
                    {"title": title, "note": "", "file": (io.BytesIO(helpers.PDF), "nv.pdf")},
                    form_page="/participants/GHA/pledge", content_type="multipart/form-data")


@pytest.mark.parametrize("role", ROLES)
def test_who_attaches_and_who_reads_the_instrument(app, login, coalition, role):
    with app.app_context():
        signature = db.session.get(PledgeSignature, coalition["signature"])
        coordinator = db.session.scalar(select(Person).where(
            Person.email == coalition["emails"]["coordinator"]))
        document = documents.upload_document("pledge_signature", signature, coordinator,
                                             helpers.PDF, "signed.pdf", "Signed Pledge", "",
                                             NOW)
        db.session.commit()
        doc_id = document.id
    web = login(coalition["emails"][role])
    html = web.get("/participants/GHA/pledge").get_data(as_text=True)
    # Every signed-in person reads the Pledge, so every one reads its instrument.
    assert "Signed instrument" in html and "Signed Pledge" in html
    download = web.get(f"/documents/{doc_id}/versions/1/download")
    assert download.status_code == 200 and download.data == helpers.PDF
    # Coordinators (who record signatures) and Ghana's focal point (the member) attach one.
    may = role in ("coordinator", "member")
    assert ("Add a document" in html.split('id="impl-h"')[0]) == may, role
    assert _upload(web, coalition["signature"]).status_code == (302 if may else 403), role


def test_focal_point_upload_lands_on_the_pledge_page_with_history(app, login, coalition):
    web = login(coalition["emails"]["member"])
    response = _upload(web, coalition["signature"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/participants/GHA/pledge#signature-h")
    html = web.get("/participants/GHA/pledge").get_data(as_text=True)
    assert "Note verbale GHA/2024/17" in html
    with app.app_context():
        ghana = db.session.scalar(select(Participant).where(Participant.code == "GHA"))
        entry = db.session.scalar(select(HistoryEntry).where(
            HistoryEntry.object_type == "document"))
        assert entry.verb == "created"
        assert (entry.parent_type, entry.parent_id) == ("participant", ghana.id)
    # The upload page names the signature it attaches to.
    page = web.get(f"/documents/new/pledge_signature/{coalition['signature']}")
    assert "Pledge signature of Ghana" in page.get_data(as_text=True)
    assert web.get("/documents/new/pledge_signature/999999").status_code == 404


def test_withdrawing_the_signature_removes_its_instrument_and_search_forgets_it(ctx):
    c = factories.coalition()
    coordinator, member = c["people"]["coordinator"], c["people"]["member"]
    ghana = factories.participant("GHA")
    signature = pledge.signature_of(ghana)
    document = documents.upload_document("pledge_signature", signature, coordinator,
                                         helpers.PDF, "nv.pdf", "Kwame Nkrumah endorsement",
                                         "", NOW)
    db.session.flush()
    # Found by anyone signed in, leading to the document's page.
    hits = search.search(member, "nkrumah").hits
    assert [(h.source_type, h.url_id) for h, *_ in hits] == [("document", document.id)]

    pledge.withdraw(ghana, coordinator, reason="Recorded for the wrong participant", now=NOW)
    db.session.flush()
    assert db.session.get(Document, document.id).deleted
    assert documents.documents_of("pledge_signature", signature.id) == []
    entry = db.session.scalar(select(HistoryEntry).where(
        HistoryEntry.object_type == "document", HistoryEntry.verb == "deleted"))
    assert entry.reason == "Recorded for the wrong participant"
    assert search.search(member, "nkrumah").hits == []


def test_a_focal_points_home_page_says_what_is_due(app, login, coalition):
    web = login(coalition["emails"]["member"])  # Ghana's focal point; nothing reviewed yet
    html = web.get("/").get_data(as_text=True)
    assert "You keep the Pledge record of" in html and 'href="/participants/GHA/pledge"' in html
    assert "5 commitments are due a review" in html
    other = CSRFClient(app.test_client())
    assert other.post("/login", {"email": coalition["emails"]["other_member"],
                                 "password": factories.PASSWORD}).status_code == 302
    assert "You keep the Pledge record" not in other.get("/").get_data(as_text=True)
