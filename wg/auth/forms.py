from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from wg.auth.services import LANGUAGES, MIN_PASSWORD_LENGTH, zone_unchosen
from wg.validators import MaxLength


def timezone_choices(participant=None, current=None):
    """The time-zone picker's option groups: the participant's own zones first, then by region,
    each "(UTC+09:00) Tokyo, Japan" (see wg.meetings.timezones.zone_choices). Names are still
    checked against every IANA zone (`is_valid_timezone`), so older aliases stay valid."""
    from wg.meetings.timezones import zone_choices

    return zone_choices(participant, current)


def mark_browser_zone(field, unset):
    """Ask static/js/tz.js to select the browser's zone while the person has not chosen one."""
    if unset:
        field.render_kw = {**(field.render_kw or {}), "data-default-browser-zone": "1"}


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), MaxLength(254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), MaxLength(200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    # Filled in by static/js/tz.js: the browser's zone, taken by people who never chose one.
    browser_zone = HiddenField(render_kw={"data-browser-zone": "1"})  # checked by the service
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), MaxLength(254)])
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class PreferencesForm(FlaskForm):
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    language = SelectField(_l("Language"), choices=[("", _l("Same as the browser"))] + LANGUAGES,
                           validate_choice=False)
    version = HiddenField()  # the version the form was made from (stale edits: 409)
    submit = SubmitField(_l("Save settings"))

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        participant = getattr(person, "participant", None)
        self.timezone.choices = timezone_choices(participant, self.timezone.data)
        # UTC is the column default, not a choice: until someone chooses, offer the browser's.
        mark_browser_zone(self.timezone, zone_unchosen(person))
