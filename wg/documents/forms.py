from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import Length, Optional

FILE_HELP = _l("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, text or CSV.")


class UploadForm(FlaskForm):
    file = FileField(_l("File"), description=FILE_HELP)
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("Leave empty to use the file's name."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    idempotency_key = HiddenField()
    submit = SubmitField(_l("Upload"))


class VersionForm(FlaskForm):
    file = FileField(_l("File"), description=FILE_HELP)
    note = StringField(_l("What changed"), validators=[Optional(), Length(max=500)])
    idempotency_key = HiddenField()
    version = HiddenField()
    submit = SubmitField(_l("Upload new version"))


class RemoveForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Remove"))
