from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _n
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField

from wg.notify.services import REMINDER_HOURS


def _label(hours):
    if hours % 24 == 0:
        return _n("%(num)d day before", "%(num)d days before", hours // 24)
    return _n("%(num)d hour before", "%(num)d hours before", hours)


class PreferencesForm(FlaskForm):
    meeting_reminders = BooleanField(_l("Meeting reminders"))
    first_reminder_hours = SelectField(_l("First reminder"), coerce=int, validate_choice=False,
                                       choices=[(h, _label(h)) for h in REMINDER_HOURS])
    second_reminder_hours = SelectField(_l("Second reminder"), coerce=int, validate_choice=False,
                                        choices=[(h, _label(h)) for h in REMINDER_HOURS])
    update_requests = BooleanField(_l("Monthly requests to update my actions"))
    overdue_digest = BooleanField(_l("Weekly digest of overdue actions"))
    pre_reads = BooleanField(_l("Pre-read two days before each meeting"))
    submit = SubmitField(_l("Save e-mail settings"))
