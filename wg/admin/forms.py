from flask_babel import gettext as _
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
from wtforms.validators import DataRequired, Optional

from wg.auth.forms import timezone_choices
from wg.auth.services import LANGUAGES
from wg.formatting import participant_name
from wg.validators import MaxLength

# Shown to people; the stored values stay the enum values.
PARTICIPANT_KINDS = {"country": _l("Country"), "organization": _l("International organization")}
ROLE_NAMES = {"member": _l("member"), "chair": _l("chair"), "lead": _l("lead")}


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), MaxLength(200)])
    email = StringField(_l("Email"), validators=[DataRequired(), MaxLength(254)])
    participant = SelectField(_l("Country or organization"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), default="", validate_choice=False)
    language = SelectField(_l("Language"), choices=[("", _l("Same as the browser"))] + LANGUAGES,
                           default="", validate_choice=False)
    is_coordinator = BooleanField(_l("Coordinator (administers the coalition, reads everything)"))
    send_link = BooleanField(_l("E-mail a link to set a password"), default=True)
    version = HiddenField()  # the version the form was made from (stale edits: 409)
    submit = SubmitField(_l("Save"))

    def __init__(self, participants, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant.choices = [("", _("Choose…"))] + [
            (p.code, f"{participant_name(p)} ({p.code})") for p in participants
        ]
        choices = timezone_choices(getattr(person, "participant", None), self.timezone.data)
        if person is None:  # a new person: the country's zone when it has only one
            choices = {_("Default"): [("", _("The country's zone if it has only one, else UTC"))],
                       **choices}
        self.timezone.choices = choices


class RoleForm(FlaskForm):
    # Group titles are the secretariat's own words: shown as written, direction from the text.
    group = SelectField(_l("Group"), validate_choice=False, render_kw={"dir": "auto"})
    role = SelectField(
        _l("Role"),
        choices=[("member", _l("Member")), ("chair", _l("Chair")),
                 ("lead", _l("Lead (working groups)"))],
        validate_choice=False,
    )
    submit = SubmitField(_l("Grant role"))

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(g.code, f"{g.code} — {g.title[:60]}") for g in groups]


class ConfirmForm(FlaskForm):
    """An empty form: a button with its CSRF token."""

    submit = SubmitField(_l("Confirm"))


class GroupForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), MaxLength(20)],
                       description=_l("WG4 for a working group, SWG1.3 for a sub-working group."))
    title = StringField(_l("Title"), validators=[DataRequired(), MaxLength(300)])
    parent = SelectField(_l("Working group (for a sub-working group)"), validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(5000)])
    is_active = BooleanField(_l("Active (untick to retire the group)"), default=True)
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def __init__(self, working_groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent.choices = [("", _("None: this is a working group"))] + [
            (g.code, f"{g.code} — {g.title[:60]}") for g in working_groups
        ]


class ParticipantForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=list(PARTICIPANT_KINDS.items())
    )
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), MaxLength(16)],
        description=_l("Countries: ISO 3166 code (MEX or MX), the name comes from the standard. "
                       "Organizations: a short code such as UNODC."),
    )
    name = StringField(_l("Name (organizations only)"), validators=[Optional(), MaxLength(200)])
    is_core = BooleanField(_l("Core country (leads new initiatives)"))
    joined_date = DateField(_l("Joined on"), validators=[Optional()])
    version = HiddenField()
    submit = SubmitField(_l("Save"))
