"""The type of an upload comes from its content, never from its name; the local store writes
whole files only."""

import os

import pytest

from tests.documents import helpers
from wg.documents import content
from wg.documents.storage import LocalStorage, storage_key


def test_a_png_named_pdf_is_a_png():
    assert content.detect(helpers.PNG, "minutes.pdf") == content.PNG


def test_pdf_docx_odt_text_and_csv_are_recognised():
    assert content.detect(helpers.PDF, "x.bin") == content.PDF
    assert content.detect(helpers.docx(), "notes.zip").endswith("wordprocessingml.document")
    assert content.detect(helpers.odt(), "x") == "application/vnd.oasis.opendocument.text"
    assert content.detect("Ordre du jour — café\n".encode(), "agenda.txt") == content.TEXT
    assert content.detect(b"a,b\n1,2\n", "table.csv") == content.CSV


@pytest.mark.parametrize("data", [
    helpers.EXE,  # a Windows program, whatever its name
    helpers.zip_bytes({"readme.txt": "just a zip"}),  # a ZIP that is not an office file
    helpers.zip_bytes({"[Content_Types].xml": "<Types/>"}),  # OOXML without a main part
    b"text with a \x00 NUL",
    "latin-1 caf\xe9".encode("latin-1"),
    b"",
])
def test_other_content_is_refused(data):
    assert content.detect(data, "paper.pdf") is None


def test_local_store_is_content_addressed_and_atomic(tmp_path, monkeypatch):
    store = LocalStorage(str(tmp_path))
    key = storage_key("ab" + "0" * 62)
    store.put(key, b"first")
    assert store.get(key) == b"first"
    store.put(key, b"other")  # same key: same content by construction, left alone
    assert store.get(key) == b"first"

    # A failure while writing leaves neither the file nor its temporary file behind.
    key2 = storage_key("cd" + "1" * 62)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.put(key2, b"half")
    assert not store.exists(key2)
    assert os.listdir(os.path.join(tmp_path, "sha256", "cd")) == []
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
