from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from wg.sensitivity import choices as tlp_choices

LABEL_HELP = _l("Who may see this document and where it may go. Without a label of its own it "
                "takes the label of what it is attached to; TLP:RED documents are never "
                "linked in e-mails.")


def label_choices(inherited=None):
    """The labels a document may take, "inherits" first (naming the parent's label)."""
    if inherited is not None:
        first = _l("Inherits the label of what it is attached to (%(label)s)",
                   label=inherited.tlp)
    else:
        first = _l("Inherits the label of what it is attached to")
    return [("", first)] + tlp_choices()


def label_field():
    return SelectField(_l("Sensitivity (TLP)"), choices=label_choices, default="",
                       validate_choice=False, description=LABEL_HELP)


def file_help():
    """The kinds of file accepted and the size limit (DOCUMENT_MAX_BYTES)."""
    from flask import current_app

    limit = int(current_app.config.get("DOCUMENT_MAX_BYTES") or 20 * 1024 * 1024)
    return _l("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, text or CSV; at most "
              "%(size)s MB.", size=limit // (1024 * 1024))


class _WithFile(FlaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = file_help()


class UploadForm(_WithFile):
    file = FileField(_l("File"))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("Leave empty to use the file's name."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    sensitivity = label_field()
    idempotency_key = HiddenField()
    submit = SubmitField(_l("Upload"))


class VersionForm(_WithFile):
    file = FileField(_l("File"))
    note = StringField(_l("What changed"), validators=[Optional(), Length(max=500)])
    sensitivity = label_field()
    idempotency_key = HiddenField()
    version = HiddenField()
    submit = SubmitField(_l("Upload new version"))


class RemoveForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Remove"))


class LabelForm(FlaskForm):
    sensitivity = label_field()
    version = HiddenField()
    submit = SubmitField(_l("Save label"))
