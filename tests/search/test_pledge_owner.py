"""A document attached to a participant's Pledge signature names that participant in the search
results instead of "Coalition-wide"."""

from tests import factories
from tests.conftest import NOW
from tests.documents import helpers
from wg.documents import services as documents
from wg.extensions import db
from wg.pledge import services as pledge


def test_a_pledge_document_names_its_participant(app, login):
    with app.app_context():
        c = factories.coalition()
        ghana = factories.participant("GHA")
        db.session.flush()
        signature = pledge.signature_of(ghana)
        documents.upload_document("pledge_signature", signature, c["people"]["coordinator"],
                                  helpers.PDF, "signed.pdf", "Signed Pledge instrument", "", NOW)
        db.session.commit()
        email = c["people"]["member"].email
    page = login(email).get("/search?q=instrument&type=document").get_data(as_text=True)
    assert "Signed Pledge instrument" in page
    assert "Ghana" in page and "Coalition-wide" not in page
