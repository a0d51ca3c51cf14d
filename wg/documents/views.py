"""Documents: the panel's forms (upload, new version, remove), a document's page and the
download of any of its versions."""

from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wg import idempotency, permissions
from wg.db_types import utcnow
from wg.documents import bp, content
from wg.documents import services as documents
from wg.documents.forms import LabelForm, RemoveForm, UploadForm, VersionForm, label_choices
from wg.documents.models import PARENT_TYPES, DocumentVersion
from wg.documents.storage import StorageError
from wg.errors import ValidationError
from wg.extensions import db
from wg.formatting import participant_name
from wg.history.services import StaleEdit


def parent_url(parent_type, parent):
    """The page that shows the parent's documents panel."""
    if parent_type == "meeting":
        return url_for("meetings.detail", meeting_id=parent.id) + "#documents"
    if parent_type == "agenda_item":
        return url_for("meetings.detail", meeting_id=parent.meeting_id) + "#agenda"
    if parent_type == "action":
        return url_for("actions.detail", action_id=parent.id) + "#documents"
    if parent_type == "decision":
        return url_for("decisions.detail", decision_id=parent.id) + "#documents"
    if parent_type == "pledge_signature":
        return url_for("pledge.participant", code=parent.participant.code) + "#signature-h"
    return (url_for("pledge.participant", code=parent.participant.code)
            + f"#c{parent.commitment.number}")


def parent_label(parent_type, parent):
    """What the document is attached to, named so a reader knows where it belongs."""
    from wg.formatting import format_date

    def meeting_label(meeting):
        return " · ".join([meeting.title, meeting.group.code, format_date(meeting.start_at.date())])

    if parent_type == "meeting":
        return meeting_label(parent)
    if parent_type == "agenda_item":
        return f"{parent.title} · {meeting_label(parent.meeting)}"
    if parent_type == "action":
        return f"{_('Action %(num)s', num=parent.id)}: {parent.title} · {parent.group.code}"
    if parent_type == "decision":
        return parent.reference
    if parent_type == "pledge_signature":
        return _("Pledge signature of %(name)s", name=participant_name(parent.participant))
    from wg.pledge.services import commitment_display_text

    text = str(commitment_display_text(parent.commitment))
    return _("%(name)s · commitment %(num)s: %(text)s", name=participant_name(parent.participant),
             num=parent.commitment.number, text=text if len(text) <= 80 else text[:79] + "…")


@bp.app_template_global()
def prefetch_documents(pairs):
    """Load the documents of every panel a page will show at once (see documents_for)."""
    from flask import g

    g.documents_prefetched = {**g.get("documents_prefetched", {}),
                              **documents.documents_of_parents(pairs)}
    return ""


@bp.app_template_global()
def documents_for(parent_type, parent_id):
    from flask import g

    prefetched = g.get("documents_prefetched", {})
    if (parent_type, parent_id) in prefetched:
        return prefetched[(parent_type, parent_id)]
    return documents.documents_of(parent_type, parent_id)


@bp.app_template_global()
def visible_documents(docs):
    """The documents the signed-in person may see (a document's own AMBER+STRICT label)."""
    return [d for d in docs if permissions.can_see_document(current_user, d)]


@bp.app_template_test("mail_visible_document")
def mail_visible_document(document, person):
    """Mails are rendered per recipient, outside any request: the recipient's view."""
    return permissions.can_see_document(person, document)


@bp.app_template_filter("documents_of_agenda_item")
def documents_of_agenda_item(item_id):
    return list(documents.documents_of("agenda_item", item_id))


@bp.app_template_global()
def inherited_document_label(parent_type, parent):
    """The label a document of this parent takes when it has none of its own."""
    return documents.inherited_label(parent_type, parent)


def _label_value(document):
    return document.sensitivity.value if document is not None and document.sensitivity else ""


@bp.app_template_global()
def document_forms(document=None, parent_type=None, parent=None):
    """Fresh forms for the panel (never bound to the request being answered)."""
    inherited = documents.inherited_label(parent_type, parent) if parent is not None else None
    if document is None:
        form = UploadForm(formdata=None, idempotency_key=idempotency.new_key())
        form.sensitivity.choices = label_choices(inherited)
        return form
    form = VersionForm(formdata=None, idempotency_key=idempotency.new_key(),
                       version=document.version, sensitivity=_label_value(document))
    form.sensitivity.choices = label_choices(inherited)
    return form, RemoveForm(formdata=None, version=document.version)


def _sent_label(form):
    """The label asked for, or KEEP when the form had no label field (an older page)."""
    return form.sensitivity.data if "sensitivity" in request.form else documents.KEEP


def _file_data(field):
    storage = field.data
    if not storage or not getattr(storage, "filename", None):
        return b"", ""
    return storage.read(documents.max_bytes() + 1), storage.filename


def _parent(parent_type, parent_id, edit):
    if parent_type not in PARENT_TYPES:
        abort(404)
    loader = (permissions.document_parent_for_edit if edit
              else permissions.document_parent_for_view)
    return loader(current_user, parent_type, parent_id)


@bp.route("/new/<parent_type>/<int:parent_id>", methods=["GET", "POST"], endpoint="upload")
def upload(parent_type, parent_id):
    parent = _parent(parent_type, parent_id, edit=True)
    form = UploadForm()
    form.sensitivity.choices = label_choices(documents.inherited_label(parent_type, parent))
    if request.method == "GET":
        form.idempotency_key.data = idempotency.new_key()
    if form.validate_on_submit():
        data, filename = _file_data(form.file)
        try:
            document = documents.upload_document(
                parent_type, parent, current_user, data, filename, form.title.data,
                form.note.data, utcnow(), key=form.idempotency_key.data,
                sensitivity=form.sensitivity.data)
            db.session.commit()
            flash(_("Document “%(title)s” uploaded.", title=document.title), "success")
            return redirect(parent_url(parent_type, parent))
        except idempotency.AlreadyDone:
            db.session.rollback()
            flash(_("This upload was already recorded; nothing new was added."), "info")
            return redirect(parent_url(parent_type, parent))
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
        except StorageError:
            db.session.rollback()
            return _store_failed(form, parent_type, parent, None)
    status = 422 if form.is_submitted() else 200
    return render_template("documents/upload.html", form=form, parent_type=parent_type,
                           parent=parent, back=parent_url(parent_type, parent),
                           label=parent_label(parent_type, parent), document=None), status


def _store_failed(form, parent_type, parent, document):
    """The file could not be stored: nothing was recorded; the form again, with why (503)."""
    current_app.logger.exception("document store failed")
    form.file.errors = list(form.file.errors) + [_(
        "The file could not be stored: the document store did not answer. Nothing was "
        "saved; try again in a few minutes.")]
    return render_template("documents/upload.html", form=form, parent_type=parent_type,
                           parent=parent, back=parent_url(parent_type, parent),
                           label=parent_label(parent_type, parent), document=document), 503


@bp.route("/<int:document_id>")
def detail(document_id):
    document = permissions.document_for_view(current_user, document_id)
    parent = permissions.document_parent(document.parent_type, document.parent_id)
    return _detail_page(document, parent)


def _detail_page(document, parent, form=None, status=200):
    if form is None and permissions.can_edit_document_parent(current_user, document.parent_type,
                                                             parent):
        form = LabelForm(formdata=None, version=document.version,
                         sensitivity=_label_value(document))
    if form is not None:
        form.sensitivity.choices = label_choices(
            documents.inherited_label(document.parent_type, parent))
    remove_form = None
    if form is not None:
        remove_form = RemoveForm(formdata=None, version=document.version)
    return render_template("documents/detail.html", document=document, parent=parent,
                           back=parent_url(document.parent_type, parent),
                           label=parent_label(document.parent_type, parent),
                           label_form=form, remove_form=remove_form,
                           effective=documents.effective_label(document, parent)), status


@bp.route("/<int:document_id>/label", methods=["POST"], endpoint="label")
def set_label(document_id):
    """The document's own label (or "inherits"), version-checked like every edit."""
    document = permissions.document_for_edit(current_user, document_id)
    parent = permissions.document_parent(document.parent_type, document.parent_id)
    form = LabelForm()
    if not form.validate_on_submit():
        return _detail_page(document, parent, form, 422)
    try:
        changed = documents.set_label(document, parent, current_user, form.sensitivity.data,
                                      utcnow(), expected_version=form.version.data or None)
        db.session.commit()
    except StaleEdit:
        db.session.rollback()
        db.session.refresh(document)
        form.version.data = document.version
        flash(_("Someone changed this document meanwhile; nothing was saved. Check it and "
                "save again."), "danger")
        return _detail_page(document, parent, form, 409)
    except ValidationError as exc:
        db.session.rollback()
        for message in exc.apply_to(form):
            flash(message, "danger")
        return _detail_page(document, parent, form, 422)
    if changed:
        flash(_("Label of “%(title)s” saved.", title=document.title), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.route("/<int:document_id>/versions", methods=["GET", "POST"], endpoint="new_version")
def new_version(document_id):
    document = permissions.document_for_edit(current_user, document_id)
    parent = permissions.document_parent(document.parent_type, document.parent_id)
    form = VersionForm()
    form.sensitivity.choices = label_choices(
        documents.inherited_label(document.parent_type, parent))
    if request.method == "GET":
        form.idempotency_key.data = idempotency.new_key()
        form.version.data = document.version
        form.sensitivity.data = _label_value(document)
    stale = None
    if form.validate_on_submit():
        data, filename = _file_data(form.file)
        try:
            version = documents.upload_version(
                document, parent, current_user, data, filename, form.note.data, utcnow(),
                key=form.idempotency_key.data, expected_version=form.version.data or None,
                sensitivity=_sent_label(form))
            db.session.commit()
            flash(_("Version %(num)s of “%(title)s” uploaded.", num=version.number,
                    title=document.title), "success")
            return redirect(parent_url(document.parent_type, parent))
        except idempotency.AlreadyDone:
            db.session.rollback()
            flash(_("This upload was already recorded; nothing new was added."), "info")
            return redirect(parent_url(document.parent_type, parent))
        except StaleEdit as exc:
            db.session.rollback()
            db.session.refresh(document)
            stale = exc
            form.version.data = document.version
            flash(_("Someone changed this document meanwhile; nothing was saved. Check it and "
                    "upload again."), "danger")
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.apply_to(form):
                flash(message, "danger")
        except StorageError:
            db.session.rollback()
            return _store_failed(form, document.parent_type, parent, document)
    status = 409 if stale else (422 if form.is_submitted() else 200)
    return render_template("documents/upload.html", form=form, parent_type=document.parent_type,
                           parent=parent, back=parent_url(document.parent_type, parent),
                           label=parent_label(document.parent_type, parent),
                           document=document), status


@bp.route("/<int:document_id>/remove", methods=["POST"])
def remove(document_id):
    document = permissions.document_for_edit(current_user, document_id)
    parent = permissions.document_parent(document.parent_type, document.parent_id)
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        documents.remove_document(document, parent, current_user, utcnow(),
                                  expected_version=form.version.data or None)
        db.session.commit()
        flash(_("Document “%(title)s” removed.", title=document.title), "success")
    except StaleEdit:
        db.session.rollback()
        flash(_("Someone changed this document meanwhile; nothing was removed."), "danger")
    return redirect(parent_url(document.parent_type, parent))


def content_disposition(filename, inline):
    """attachment/inline with an ASCII fallback and the RFC 5987 filename* for the rest."""
    fallback = filename.encode("ascii", "ignore").decode("ascii").replace('"', "") or "document"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.route("/<int:document_id>/versions/<int:number>/download")
def download(document_id, number):
    document = permissions.document_for_view(current_user, document_id)
    version = db.session.scalar(db.select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number))
    if version is None:
        abort(404)
    try:
        data = documents.read_version(version)
    except (FileNotFoundError, KeyError):
        return render_template("errors/404.html", code=404, message=_(
            "The file of this version is missing from the document store. Tell the "
            "secretariat; the other versions may still be there.")), 404
    except StorageError:
        return render_template("errors/generic.html", code=503, message=_(
            "The document store cannot be reached just now. Try again in a few minutes.")), 503
    # The name the reader sees: the title (which may be non-ASCII) with the file's extension.
    ext = version.filename.rsplit(".", 1)[-1] if "." in version.filename else "bin"
    shown = f"{document.title}.{ext}".replace("/", "-").replace("\\", "-")
    response = Response(data, mimetype=version.content_type)
    response.headers["Content-Disposition"] = content_disposition(
        shown, version.content_type in content.INLINE_TYPES)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if version.content_type == content.PDF:
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
