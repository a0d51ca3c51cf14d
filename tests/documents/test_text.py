"""The text inside PDF and DOCX files is found by search, within the parent's audience; a
broken file uploads without text; a reindex gives the same rows as the incremental upkeep."""

import io
import time

import docx
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from tests import factories
from tests.conftest import NOW
from tests.documents import helpers
from wg.auth.models import Person
from wg.documents import services as documents
from wg.documents import text
from wg.documents.demo import tiny_pdf
from wg.documents.models import DocumentVersion
from wg.extensions import db
from wg.search import services as search
from wg.search.index import reindex
from wg.search.models import SearchDocument


def _found(person, q):
    return sorted((doc.source_type, doc.url_id) for doc, *_ in search.search(person, q).hits)


def a_docx(*paragraphs, cell=None):
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if cell:
        document.add_table(rows=1, cols=1).cell(0, 0).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def a_pdf(*lines):
    """A PDF of several pages, re-written by pypdf (a real writer, not just our helper)."""
    writer = PdfWriter()
    for line in lines:
        writer.append(PdfReader(io.BytesIO(tiny_pdf(line))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_extraction_of_pdf_docx_and_text():
    assert text.extract(a_pdf("First page", "Second zanzibar page"), "application/pdf") == (
        "First page\nSecond zanzibar page")
    assert text.extract(a_docx("Opening words", "Closing", cell="In a table"),
                        text.DOCX) == "Opening words\nClosing\nIn a table"
    assert text.extract(b"plain\x00 words", "text/plain") == "plain words"
    assert text.extract(helpers.PNG, "image/png") is None


def test_broken_and_hostile_files_give_no_text_and_never_raise():
    assert text.extract(b"%PDF-1.4\n garbage \xff\xfe", "application/pdf") is None
    assert text.extract(a_pdf("x")[:200], "application/pdf") is None  # truncated
    assert text.extract(helpers.docx(), text.DOCX) is None  # not a real Word file
    # A zip bomb's main part is not unpacked.
    bomb = helpers.zip_bytes({"[Content_Types].xml": "x",
                              "word/document.xml": "<a>" + " " * (text.MAX_XML_BYTES + 1)})
    assert text.extract(bomb, text.DOCX) is None


def test_the_text_is_bounded_in_characters_pages_and_time(monkeypatch):
    monkeypatch.setattr(text, "MAX_CHARS", 30)
    assert len(text.extract(a_docx("word " * 100), text.DOCX)) == 30
    monkeypatch.setattr(text, "MAX_CHARS", 200_000)
    monkeypatch.setattr(text, "MAX_PAGES", 2)
    assert text.extract(a_pdf("one", "two", "three"), "application/pdf") == "one\ntwo"
    ticks = iter(range(0, 1000, 20))  # every page seems to take 20 seconds
    monkeypatch.setattr(text, "MAX_PAGES", 300)
    assert text.extract(a_pdf("one", "two", "three"), "application/pdf",
                        clock=lambda: next(ticks)) == "one"


def test_words_inside_pdf_and_docx_find_the_document_within_the_parents_audience(ctx):
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    action = factories.action(g["SWG1.1"], title="Shared precursor list")
    pdf = documents.upload_document("action", action, p["chair"],
                                    a_pdf("Cover", "Findings on xylazine seizures"),
                                    "study.pdf", "Study", "", NOW)
    word = documents.upload_document("action", action, p["chair"],
                                     a_docx("Intro", cell="Nitazene analogues"),
                                     "notes.docx", "Notes", "", NOW)
    db.session.commit()
    assert _found(p["member"], "xylazine") == [("document", pdf.id)]
    assert _found(p["member"], "nitazene") == [("document", word.id)]
    assert _found(p["other_member"], "xylazine") == []  # another group's action
    stored = db.session.scalar(select(DocumentVersion.text).where(
        DocumentVersion.document_id == pdf.id))
    assert "xylazine" in stored
    # A new version replaces the text searched: the old words no longer find it.
    documents.upload_version(pdf, action, p["chair"], a_pdf("Revised: carfentanil"),
                             "study.pdf", "", NOW, expected_version=pdf.version)
    db.session.commit()
    assert _found(p["member"], "xylazine") == []
    assert _found(p["member"], "carfentanil") == [("document", pdf.id)]


def test_a_corrupt_pdf_uploads_without_text(app):
    from tests.documents.test_views import _as, _upload, _world

    w = _world(app)
    chair = _as(app, w["emails"]["chair"])
    broken = b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 99 0 R>>endobj\nstream\xff\xfe\x00garbage"
    response = _upload(chair, "meeting", w["meeting"], broken, "broken.pdf", title="Broken scan")
    assert response.status_code == 302
    with app.app_context():
        version = db.session.scalars(select(DocumentVersion)).one()
        assert version.content_type == "application/pdf" and version.text is None
        member = db.session.scalar(select(Person).where(Person.email == w["emails"]["member"]))
        assert [t for t, _ in _found(member, "scan")] == ["document"]  # found by its title


def _rows():
    return sorted((r.source_type, r.source_id, r.title, r.body, r.visibility,
                   r.strict_participant_id) for r in db.session.scalars(select(SearchDocument)))


def test_reindex_equals_incremental(ctx):
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    action = factories.action(g["SWG1.1"], title="Shared precursor list")
    first = documents.upload_document("action", action, p["chair"], a_pdf("Old words"),
                                      "a.pdf", "First", "", NOW)
    documents.upload_document("action", action, p["chair"], a_docx("Docx body words"),
                              "b.docx", "Second", "", NOW)
    documents.upload_version(first, action, p["chair"], a_pdf("Newer words"), "a.pdf", "", NOW)
    db.session.commit()
    incremental = _rows()
    assert any("Newer words" in row[3] for row in incremental)
    reindex(db.session)
    db.session.commit()
    assert _rows() == incremental


def test_a_file_that_hangs_or_swells_the_parser_is_stopped(monkeypatch):
    """A page the library loops on (or a file that swells it) cannot hold the upload: the child
    process that reads it is killed at its deadline or its memory cap, and there is no text."""
    def loop_forever(data, clock):
        while True:
            pass

    monkeypatch.setattr(text, "_pdf", loop_forever)
    started = time.monotonic()
    assert text.extract(a_pdf("one"), "application/pdf", hard_seconds=1) is None
    assert time.monotonic() - started < 5

    def swell(data, clock):
        return "x" * (2 * text.MAX_MEMORY)

    monkeypatch.setattr(text, "_pdf", swell)
    assert text.extract(a_pdf("one"), "application/pdf") is None
    monkeypatch.undo()
    assert text.extract(a_pdf("still", "fine"), "application/pdf") == "still\nfine"


def test_only_files_we_made_are_read_in_process(monkeypatch):
    import os

    pids = []
    monkeypatch.setattr(text, "_pdf", lambda data, clock: pids.append(os.getpid()) or "x")
    assert text.extract(a_pdf("one"), "application/pdf") == "x"
    assert pids == []  # read in a child: its list, not ours, got the pid
    with text.files_we_made():
        assert text.extract(a_pdf("one"), "application/pdf") == "x"
    assert pids == [os.getpid()]
    assert text.extract(a_pdf("one"), "application/pdf") == "x" and len(pids) == 1
