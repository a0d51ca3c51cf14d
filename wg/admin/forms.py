from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from wg.auth.forms import timezone_choices
from wg.auth.services import LANGUAGES


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    participant = SelectField("Country or organization", validate_choice=False)
    timezone = SelectField("Time zone", default="UTC", validate_choice=False)
    language = SelectField("Language", choices=[("", _l("Same as the browser"))] + LANGUAGES, default="",
                           validate_choice=False)
    is_coordinator = BooleanField("Coordinator (administers the coalition, reads everything)")
    send_link = BooleanField("E-mail a link to set a password", default=True)
    version = HiddenField()  # the version the form was made from (stale edits: 409)
    submit = SubmitField("Save")

    def __init__(self, participants, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant.choices = [("", "Choose…")] + [
            (p.code, f"{p.name} ({p.code})") for p in participants
        ]
        self.timezone.choices = timezone_choices()


class RoleForm(FlaskForm):
    group = SelectField("Group", validate_choice=False)
    role = SelectField(
        "Role",
        choices=[("member", "Member"), ("chair", "Chair"), ("lead", "Lead (working groups)")],
        validate_choice=False,
    )
    submit = SubmitField("Grant role")

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(g.code, f"{g.code} — {g.title[:60]}") for g in groups]


class ConfirmForm(FlaskForm):
    """An empty form: a button with its CSRF token."""

    submit = SubmitField("Confirm")


class GroupForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=20)],
                       description="WG4 for a working group, SWG1.3 for a sub-working group.")
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    parent = SelectField("Working group (for a sub-working group)", validate_choice=False)
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    is_active = BooleanField("Active (untick to retire the group)", default=True)
    version = HiddenField()
    submit = SubmitField("Save")

    def __init__(self, working_groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent.choices = [("", "None: this is a working group")] + [
            (g.code, f"{g.code} — {g.title[:60]}") for g in working_groups
        ]


class ParticipantForm(FlaskForm):
    kind = SelectField(
        "Kind", choices=[("country", "Country"), ("organization", "International organization")]
    )
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=16)],
        description="Countries: ISO 3166 code (MEX or MX), the name comes from the standard. "
        "Organizations: a short code such as UNODC.",
    )
    name = StringField("Name (organizations only)", validators=[Optional(), Length(max=200)])
    is_core = BooleanField("Core country (leads new initiatives)")
    joined_date = DateField("Joined on", validators=[Optional()])
    pledge_signed_date = DateField("Coalition Pledge signed on", validators=[Optional()])
    version = HiddenField()
    submit = SubmitField("Save")


class PledgeForm(FlaskForm):
    signed_date = DateField(
        "Signed on", validators=[DataRequired("Enter the date it was signed, like 2025-03-01.")]
    )
    reason = StringField("Why the date changes (when correcting a recorded date)",
                         validators=[Optional(), Length(max=1000)])
    version = HiddenField()
    submit = SubmitField("Record signature")
