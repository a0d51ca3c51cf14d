"""Documents: upload (a new document or a new version of one) and remove. Every change writes
its history entry (also filed under the parent object) in the caller's transaction; a repeated
form (same idempotency key) records nothing new."""

import hashlib
import os

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from wg import idempotency
from wg.documents import content, text
from wg.documents.models import PARENT_TYPES, Document, DocumentVersion
from wg.documents.storage import get_storage, storage_key
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history

UPLOAD_SCOPE = "documents.upload"
MAX_TITLE = 200
MAX_NOTE = 500


def max_bytes():
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or 20 * 1024 * 1024)


def clean_filename(name, content_type):
    """A safe file name that ends with the extension of the detected type."""
    base = secure_filename(name or "") or "document"
    stem, ext = os.path.splitext(base)
    wanted = content.EXTENSIONS.get(content_type, "bin")
    if ext.lower().lstrip(".") != wanted and not (wanted == "jpg" and ext.lower() == ".jpeg"):
        stem = base if ext.lower().lstrip(".") not in content.EXTENSIONS.values() else stem
        ext = "." + wanted
    stem = stem[: 150] or "document"
    return f"{stem}{ext}"


def check_file(data, filename, errors):
    """The detected content type of an acceptable upload (errors["file"] otherwise)."""
    if not data:
        errors["file"] = _("Choose a file to upload.")
        return None
    if len(data) > max_bytes():
        errors["file"] = _("The file is too large (at most %(size)s MB).",
                           size=max_bytes() // (1024 * 1024))
        return None
    content_type = content.detect(data, filename)
    if content_type is None:
        errors["file"] = _("This kind of file is not accepted. Upload a PDF, Word, Excel, "
                           "PowerPoint or OpenDocument file, a PNG or JPEG image, or plain "
                           "text or CSV.")
    return content_type


def _parent_ref(parent_type, parent):
    """Where the document's history entries are also filed (a page with a History view)."""
    if parent_type == "agenda_item":
        return "meeting", parent.meeting_id
    if parent_type in ("commitment_implementation", "pledge_signature"):
        return "participant", parent.participant_id
    return parent_type, parent.id


def _group_id(parent_type, parent):
    if parent_type == "agenda_item":
        return parent.meeting.group_id
    return getattr(parent, "group_id", None)


def _store(data):
    digest = hashlib.sha256(data).hexdigest()
    key = storage_key(digest)
    get_storage().put(key, data)
    return digest, key


def _history(actor, document, parent, verb, changes, now, reason=None):
    history.record(actor, "document", document.id, verb, changes, now=now, label=document.title,
                   reason=reason, parent=_parent_ref(document.parent_type, parent),
                   group_id=_group_id(document.parent_type, parent), version=document.version)


def _version(document, number, data, filename, content_type, actor, now, note):
    digest, key = _store(data)
    return DocumentVersion(document=document, number=number,
                           filename=clean_filename(filename, content_type),
                           content_type=content_type, size=len(data), sha256=digest,
                           storage_key=key, uploaded_by_id=getattr(actor, "id", None),
                           uploaded_at=now, note=note, text=text.extract(data, content_type))


KEEP = object()


def inherited_label(parent_type, parent):
    """The label a document without its own takes: its parent's (an agenda item's meeting's);
    commitment implementations and Pledge signatures carry none (the default)."""
    from wg.sensitivity import DEFAULT, Sensitivity

    if parent_type == "agenda_item":
        parent = parent.meeting
    return Sensitivity.parse(getattr(parent, "sensitivity", None)) or DEFAULT


def effective_label(document, parent):
    """The document's own label, else its parent's."""
    from wg.sensitivity import Sensitivity

    return Sensitivity.parse(document.sensitivity) or inherited_label(document.parent_type, parent)


def _clean_label(document, actor, raw, errors):
    """(label or None for "inherit", participant id) from a form or API value: KEEP (not
    sent) keeps the current one, "" or "inherit" inherits, anything else goes through
    wg.sensitivity.clean_label."""
    from wg.sensitivity import clean_label

    current = document.sensitivity if document is not None else None
    owner = document.sensitivity_participant_id if document is not None else None
    if raw is KEEP:
        return current, owner
    if raw in (None, "", "inherit", "INHERIT"):
        return None, None
    label, participant_id = clean_label(errors, actor, raw, current, owner)
    if "sensitivity" in errors:
        return current, owner
    return label, participant_id


def _clean_texts(title, note, errors, filename=""):
    title = (title or "").strip()
    if not title:
        title = os.path.splitext(os.path.basename(filename or ""))[0].strip()
    if not title:
        errors["title"] = _("Give the document a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(num)s characters.", num=MAX_TITLE)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(num)s characters.", num=MAX_NOTE)
    return title, note


def upload_document(parent_type, parent, actor, data, filename, title, note, now, *, key=None,
                    sensitivity=None):
    """Attach a new document (its version 1) to `parent`, with its own label or (None, "")
    inheriting the parent's."""
    if parent_type not in PARENT_TYPES:
        raise ValueError(parent_type)
    errors = {}
    title, note = _clean_texts(title, note, errors, filename)
    label, owner = _clean_label(None, actor, sensitivity, errors)
    content_type = check_file(data, filename, errors)
    if errors:
        raise ValidationError(errors)
    idempotency.claim_or_raise(key, actor, UPLOAD_SCOPE, now)
    document = Document(parent_type=parent_type, parent_id=parent.id, title=title,
                        current_version=1, created_by_id=getattr(actor, "id", None),
                        created_at=now, deleted=False, version=1, sensitivity=label,
                        sensitivity_participant_id=owner)
    db.session.add(document)
    version = _version(document, 1, data, filename, content_type, actor, now, note)
    db.session.add(version)
    db.session.flush()
    _history(actor, document, parent, "created", history.created({
        "title": title, "filename": version.filename, "content_type": content_type,
        "size": version.size, "sha256": version.sha256, "number": 1, "note": note,
        "sensitivity": _label_text(label)}), now)
    idempotency.remember(key, f"document:{document.id}")
    return document


def upload_version(document, parent, actor, data, filename, note, now, *, key=None,
                   expected_version=None, sensitivity=KEEP):
    """A new version of `document`; the older ones stay downloadable. `sensitivity` may change
    the label in the same step (KEEP: unchanged)."""
    errors = {}
    _title, note = _clean_texts(document.title, note, errors)
    old_label = document.sensitivity
    label, owner = _clean_label(document, actor, sensitivity, errors)
    content_type = check_file(data, filename, errors)
    if errors:
        raise ValidationError(errors)
    history.check_version("document", document, expected_version)
    idempotency.claim_or_raise(key, actor, UPLOAD_SCOPE, now)
    number = (db.session.scalar(select(db.func.max(DocumentVersion.number)).where(
        DocumentVersion.document_id == document.id)) or 0) + 1
    version = _version(document, number, data, filename, content_type, actor, now, note)
    db.session.add(version)
    old = document.current_version
    document.current_version = number
    document.sensitivity, document.sensitivity_participant_id = label, owner
    document.version = (document.version or 1) + 1
    _flush(document, expected_version)
    changes = {"current_version": [old, number], "filename": [None, version.filename],
               "sha256": [None, version.sha256], "size": [None, version.size]}
    if old_label != label:
        changes["sensitivity"] = [_label_text(old_label), _label_text(label)]
    _history(actor, document, parent, "updated", changes, now, reason=note or None)
    idempotency.remember(key, f"document_version:{version.id}")
    return version


def set_label(document, parent, actor, sensitivity, now, expected_version=None):
    """Change a document's own label ("" or "inherit": take the parent's again). The same
    label again records nothing; returns whether it changed."""
    errors = {}
    label, owner = _clean_label(document, actor, sensitivity, errors)
    if errors:
        raise ValidationError(errors)
    history.check_version("document", document, expected_version)
    if label == document.sensitivity and owner == document.sensitivity_participant_id:
        return False
    old = document.sensitivity
    document.sensitivity, document.sensitivity_participant_id = label, owner
    document.version = (document.version or 1) + 1
    _flush(document, expected_version)
    _history(actor, document, parent, "updated",
             {"sensitivity": [_label_text(old), _label_text(label)]}, now)
    return True


def _label_text(label):
    """How history shows a label: 'TLP:AMBER', or None for "inherits the parent's"."""
    from wg.sensitivity import Sensitivity

    label = Sensitivity.parse(label)
    return label.tlp if label else None


def _flush(document, expected_version):
    from sqlalchemy.orm.exc import StaleDataError

    try:
        db.session.flush()
    except StaleDataError:
        raise history.StaleEdit("document", document.id, expected_version, "a newer one") from None


def remove_document(document, parent, actor, now, expected_version=None, reason=None):
    """Hide a document (its files and history stay). Removing it again changes nothing."""
    if document.deleted:
        return False
    history.check_version("document", document, expected_version)
    document.deleted = True
    document.version = (document.version or 1) + 1
    _flush(document, expected_version)
    _history(actor, document, parent, "deleted", {"deleted": [False, True]}, now, reason=reason)
    return True


def remove_documents_of(parent_type, parent, actor, now, reason):
    """Hide every document of a parent that goes away (a withdrawn Pledge signature), each
    with its history entry giving the reason."""
    return sum(remove_document(document, parent, actor, now, reason=reason)
               for document in documents_of(parent_type, parent.id))


def documents_of(parent_type, parent_id):
    return db.session.scalars(select(Document).where(
        Document.parent_type == parent_type, Document.parent_id == parent_id,
        Document.deleted.is_(False)).order_by(Document.created_at, Document.id)).all()


def documents_of_parents(pairs):
    """{(parent_type, parent_id): [documents]} for several parents of several types, their
    versions loaded too: one page's panels in two queries, however many agenda items it has."""
    from sqlalchemy import and_, or_
    from sqlalchemy.orm import selectinload

    conditions = [and_(Document.parent_type == t, Document.parent_id.in_(list(ids)))
                  for t, ids in pairs if ids]
    found = {(t, i): [] for t, ids in pairs for i in ids}
    if not conditions:
        return found
    for document in db.session.scalars(
            select(Document).where(or_(*conditions), Document.deleted.is_(False))
            .options(selectinload(Document.versions))
            .order_by(Document.created_at, Document.id)):
        found[(document.parent_type, document.parent_id)].append(document)
    return found


def documents_by_parent(parent_type, parent_ids):
    """{parent_id: [documents]} for several parents of one type (one query)."""
    found = {}
    if not parent_ids:
        return found
    for document in db.session.scalars(select(Document).where(
            Document.parent_type == parent_type, Document.parent_id.in_(list(parent_ids)),
            Document.deleted.is_(False)).order_by(Document.created_at, Document.id)):
        found.setdefault(document.parent_id, []).append(document)
    return found


def read_version(version):
    return get_storage().get(version.storage_key)
