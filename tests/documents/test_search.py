"""Documents are found by their title, by whoever may find their parent."""

from tests import factories
from tests.conftest import NOW
from tests.documents import helpers
from wg.documents import services as documents
from wg.extensions import db
from wg.search import services as search


def _types(person, q):
    return sorted(doc.source_type for doc, *_ in search.search(person, q).hits)


def test_a_document_is_found_by_title_within_its_parents_audience(ctx):
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    action = factories.action(g["SWG1.1"], title="Shared precursor list")
    document = documents.upload_document("action", action, p["chair"], helpers.PDF,
                                         "paper.pdf", "Tramadol diversion study", "", NOW)
    db.session.flush()
    assert _types(p["member"], "tramadol") == ["document"]
    assert _types(p["other_member"], "tramadol") == []  # another group's action
    hit = search.search(p["member"], "tramadol").hits[0][0]
    assert hit.url_endpoint == "documents.detail" and hit.url_id == document.id
    documents.remove_document(document, action, p["chair"], NOW)
    db.session.flush()
    assert _types(p["member"], "tramadol") == []
