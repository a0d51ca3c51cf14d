from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from wg.actions.models import ActionStatus
from wg.sensitivity import sensitivity_field
from wg.validators import MaxLength

STATUS_CHOICES = [(s.value, s.label) for s in ActionStatus]


class ProgressForm(FlaskForm):
    """A progress log entry; the service checks the rules (range, note, version)."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validate_choice=False)
    progress = IntegerField(_l("Progress (%)"), validators=[InputRequired(_l("Progress is required."))])
    note = TextAreaField(_l("Note"), validators=[MaxLength(5000)])
    version = HiddenField()
    next = HiddenField()
    # Made when the form is rendered; a second submit of the same form records nothing.
    idempotency_key = HiddenField()


class ActionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("A title is required.")),
                                             MaxLength(300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(20000)])
    owner_id = SelectField(_l("Owner"), validate_choice=False,
                           description=_l("A member of the group (optional)."))
    participant_ids = SelectMultipleField(
        _l("Responsible countries and organizations"), validate_choice=False,
        description=_l("Participants with members in this group; tick every one that is "
                       "responsible."))
    due_date = DateField(_l("Due date"), validators=[InputRequired(_l("A due date is required."))])
    origin_meeting_id = SelectField(_l("From the meeting"), validate_choice=False,
                                    description=_l("The meeting where this action was agreed (optional)."))
    weight = IntegerField(_l("Weight"), default=1,
                          validators=[InputRequired(_l("A weight is required."))],
                          description=_l("How much this action counts in percent complete "
                                         "(1–20, default 1)."))
    # Only on creation; afterwards status and progress change through progress entries.
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="open",
                         validate_choice=False)
    progress = IntegerField(_l("Progress (%)"), default=0, validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), MaxLength(5000)],
                         description=_l("Why this action, or where it stands; kept in its "
                                        "history."))
    sensitivity = sensitivity_field()
    version = HiddenField()


class BulkUploadForm(FlaskForm):
    file = FileField(_l("CSV file"))
    content = HiddenField()
    idempotency_key = HiddenField()  # made with the preview; Apply twice applies once
