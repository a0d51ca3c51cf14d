"""The demo attaches real (type-checked) files to every kind of parent, and they download."""

from sqlalchemy import func, select

from wg.data.demo import load_demo
from wg.data.seed import seed_structure
from wg.db_types import utcnow
from wg.documents import content
from wg.documents import services as documents
from wg.documents.demo import tiny_pdf
from wg.documents.models import Document, DocumentVersion
from wg.extensions import db


def test_tiny_pdf_is_a_pdf():
    data = tiny_pdf("Background paper (draft)")
    assert content.detect(data, "x") == content.PDF and data.endswith(b"%%EOF\n")


def test_demo_documents_on_every_kind_of_parent(ctx):
    seed_structure()
    now = utcnow()
    stats = load_demo(0.03, now=now)
    db.session.commit()
    kinds = dict(db.session.execute(select(Document.parent_type, func.count())
                                    .group_by(Document.parent_type)).all())
    assert set(kinds) == {"meeting", "agenda_item", "action", "decision",
                          "commitment_implementation", "pledge_signature"}
    assert stats["documents"] == sum(kinds.values())
    for version in db.session.scalars(select(DocumentVersion)):
        assert version.uploaded_at <= now  # no upload dated ahead of the demo's today
        data = documents.read_version(version)
        assert len(data) == version.size and content.detect(data, version.filename) == \
            version.content_type
