from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField

from wg.notify.services import REMINDER_HOURS


def _label(hours):
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days > 1 else ''} before"
    return f"{hours} hour{'s' if hours > 1 else ''} before"


class PreferencesForm(FlaskForm):
    meeting_reminders = BooleanField("Meeting reminders")
    first_reminder_hours = SelectField("First reminder", coerce=int, validate_choice=False,
                                       choices=[(h, _label(h)) for h in REMINDER_HOURS])
    second_reminder_hours = SelectField("Second reminder", coerce=int, validate_choice=False,
                                        choices=[(h, _label(h)) for h in REMINDER_HOURS])
    update_requests = BooleanField("Monthly requests to update my actions")
    overdue_digest = BooleanField("Weekly digest of overdue actions")
    pre_reads = BooleanField("Pre-read two days before each meeting")
    submit = SubmitField("Save e-mail settings")
