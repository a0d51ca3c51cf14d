from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wg.pledge.models import STATUS_LABELS


class SignatureForm(FlaskForm):
    participant = SelectField(_l("Participant"), choices=[], validate_choice=False)
    signed_on = DateField(_l("Signed on"), validators=[
        DataRequired(_l("Enter the date it was signed, like 2025-03-01."))])
    signatory_name = StringField(_l("Signatory"), validators=[Optional(), Length(max=200)])
    signatory_title = StringField(_l("Signatory's title"), validators=[Optional(),
                                                                       Length(max=200)])
    instrument_reference = StringField(
        _l("Instrument reference"), validators=[Optional(), Length(max=300)],
        description=_l("For example the note verbale's number."))
    instrument_url = StringField(_l("Link to the instrument"),
                                 validators=[Optional(), Length(max=500)])
    reason = StringField(_l("Why the date is corrected (only when correcting it)"),
                         validators=[Optional(), Length(max=1000)])
    version = HiddenField()
    idempotency_key = HiddenField()
    submit = SubmitField(_l("Record signature"))


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Why the signature is removed"),
                         validators=[InputRequired(_l("Say why the signature is removed.")),
                                     Length(max=1000)])
    version = HiddenField()
    submit = SubmitField(_l("Remove signature"))


class CommitmentForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(_l("Enter the commitment's text.")),
                                                 Length(max=2000)])
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class ImplementationForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()))
    evidence_md = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=20000)],
                                description=_l("Markdown: laws, decrees, programmes, figures."))
    evidence_links = TextAreaField(_l("Links"), validators=[Optional()],
                                   description=_l("One address per line."))
    last_reviewed_on = DateField(_l("Last reviewed on"), validators=[Optional()])
    version = HiddenField()
    idempotency_key = HiddenField()
    submit = SubmitField(_l("Save"))


class LinkActionForm(FlaskForm):
    action_id = IntegerField(_l("Action number"), validators=[
        InputRequired(_l("Give the action's number (as in its address, /actions/123)."))])
    submit = SubmitField(_l("Link action"))


class FocalPointForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=int, choices=[], validate_choice=False)
    submit = SubmitField(_l("Make focal point"))
