from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from wg.decisions.models import DecisionStatus
from wg.sensitivity import sensitivity_field

MARKDOWN_HELP = _l("Markdown: **bold**, *italic*, - lists, [links](https://…).")


class RecordDecisionForm(FlaskForm):
    text = TextAreaField(_l("Decision"), validators=[InputRequired(_l("Write the decision.")),
                                                     Length(max=10000)],
                         description=MARKDOWN_HELP, render_kw={"rows": 5})
    decided_on = DateField(_l("Date"), validators=[Optional()],
                           description=_l("Leave empty to use the meeting's date."))
    meeting_id = SelectField(_l("Meeting"), validate_choice=False)
    supersedes_id = SelectField(_l("Supersedes"), validate_choice=False,
                                description=_l("An earlier decision this one replaces; it "
                                               "becomes “superseded”."))
    action_ids = SelectMultipleField(_l("Follow-up actions"), validate_choice=False,
                                     description=_l("Hold Ctrl (⌘ on a Mac) to pick several."))
    sensitivity = sensitivity_field()
    idempotency_key = HiddenField()


class EditDecisionForm(FlaskForm):
    text = TextAreaField(_l("Decision"), validators=[InputRequired(_l("Write the decision.")),
                                                     Length(max=10000)],
                         description=MARKDOWN_HELP, render_kw={"rows": 5})
    status = SelectField(_l("Status"), validate_choice=False, choices=[
        (s.value, s.label) for s in DecisionStatus])
    action_ids = SelectMultipleField(_l("Follow-up actions"), validate_choice=False,
                                     description=_l("Hold Ctrl (⌘ on a Mac) to pick several."))
    sensitivity = sensitivity_field()
    version = HiddenField()
