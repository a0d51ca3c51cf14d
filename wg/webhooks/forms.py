from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from wg.validators import MaxLength
from wg.webhooks.services import EVENTS


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscriptionForm(FlaskForm):
    url = StringField(_l("Address (URL)"), validators=[MaxLength(2000)],
                      description=_l("Where the events are sent, e.g. "
                                     "https://observatory.example.org/hooks/wg"))
    description = StringField(_l("Description"), validators=[MaxLength(200)],
                              description=_l("Which system receives them."))
    group = SelectField(_l("Group"), choices=[], validate_choice=False)
    events = CheckboxesField(_l("Events"), choices=[(k, v) for k, v in EVENTS.items()],
                             validate_choice=False)
    key = HiddenField()
    version = HiddenField()


class ButtonForm(FlaskForm):
    """The buttons of a subscription's page: its version, and a request key for the ping."""

    version = HiddenField()
    key = HiddenField()
