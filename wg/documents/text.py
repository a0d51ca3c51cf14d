"""The text inside an uploaded file, for search: PDF (pypdf), DOCX (python-docx), plain text.

Extraction never raises and stays bounded: at most MAX_PAGES pages, MAX_CHARS characters and
about MAX_SECONDS of work (checked between pages); a DOCX whose main part unpacks to more than
MAX_XML_BYTES is skipped (a zip bomb). PDF and DOCX are read in a forked child process with a
hard deadline (HARD_SECONDS) and a memory cap (MAX_MEMORY): a file that makes the library loop
inside one page, or swell, is killed with its child and the upload goes on without text. A broken
or hostile file simply has no text.
"""

import io
import logging
import multiprocessing
import os
import re
import threading
import time
import zipfile
from contextlib import contextmanager

from wg.documents import content

MAX_CHARS = 200_000
MAX_PAGES = 300
MAX_SECONDS = 10.0
MAX_XML_BYTES = 30 * 1024 * 1024
HARD_SECONDS = 20.0
MAX_MEMORY = 512 * 1024 * 1024  # address space the extracting child may add to its own
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

log = logging.getLogger(__name__)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean(text):
    """Whitespace folded, NUL and other control characters dropped (PostgreSQL refuses NUL),
    cut at MAX_CHARS."""
    text = "".join(ch if ch in "\n\t" or ch >= " " else " " for ch in text or "")
    text = _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()
    return text[:MAX_CHARS]


def _pdf(data, clock):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:  # noqa: BLE001 (any failure: no text)
            return ""
    parts, size, started = [], 0, clock()
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES or size >= MAX_CHARS or (
                number and clock() - started > MAX_SECONDS):
            break
        try:
            part = page.extract_text() or ""
        except Exception:  # noqa: BLE001 (one bad page does not lose the others)
            continue
        parts.append(part)
        size += len(part)
    return "\n".join(parts)


def _docx(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_XML_BYTES:
            return ""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts, size = [], 0
    for paragraph in document.paragraphs:
        parts.append(paragraph.text)
        size += len(paragraph.text)
        if size >= MAX_CHARS:
            return "\n".join(parts)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
                size += len(cell.text)
                if size >= MAX_CHARS:
                    return "\n".join(parts)
    return "\n".join(parts)


_in_process = threading.local()


@contextmanager
def files_we_made():
    """Inside this block, files are read in-process (no child per file): for files the
    application generated itself (the demo's papers), never for uploads."""
    _in_process.on = True
    try:
        yield
    finally:
        _in_process.on = False


def extract(data, content_type, clock=time.monotonic, hard_seconds=None):
    """The searchable text of a file of `content_type` (wg.documents.content), or None.

    PDF and DOCX are parsed in a child process killed after `hard_seconds` (HARD_SECONDS)."""
    if content_type not in (content.PDF, DOCX) or getattr(_in_process, "on", False):
        return _extract_here(data, content_type, clock)
    try:
        fork = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: in-process, bounded between pages
        return _extract_here(data, content_type, clock)
    receive, send = fork.Pipe(duplex=False)
    child = fork.Process(target=_child, args=(send, data, content_type, clock), daemon=True)
    child.start()
    send.close()
    try:
        if receive.poll(HARD_SECONDS if hard_seconds is None else hard_seconds):
            return receive.recv()
        log.info("text extraction of a %s stopped after its deadline", content_type)
        return None
    except (EOFError, OSError):  # the child died (memory cap, crash): no text
        return None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(1)


def _child(send, data, content_type, clock):
    try:
        import resource

        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (used + MAX_MEMORY, used + MAX_MEMORY))
    except (ImportError, ValueError, OSError):
        pass
    try:
        send.send(_extract_here(data, content_type, clock))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's copied buffers


def _extract_here(data, content_type, clock):
    try:
        if content_type == content.PDF:
            text = _pdf(data, clock)
        elif content_type == DOCX:
            text = _docx(data)
        elif content_type in (content.TEXT, content.CSV):
            text = data[: MAX_CHARS * 4].decode("utf-8", "ignore")
        else:
            return None
    except (Exception, RecursionError) as exc:  # noqa: BLE001 (a broken file has no text)
        log.info("no text extracted from a %s: %s", content_type, exc.__class__.__name__)
        return None
    return clean(text) or None
