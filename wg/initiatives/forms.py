from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from wg.initiatives.models import InitiativeStatus

STATUS_CHOICES = [(s.value, s.label) for s in InitiativeStatus]


class InitiativeForm(FlaskForm):
    """The service checks the rules (line of effort, leads, period); the form keeps the input."""

    title = StringField(_l("Title"), validators=[InputRequired(_l("A title is required.")),
                                                 Length(max=300)])
    goal_md = TextAreaField(_l("Goal"), validators=[Optional(), Length(max=20000)],
                            description=_l("Markdown: **bold**, *italic*, - lists, [links](https://…)."),
                            render_kw={"rows": 6})
    group_id = SelectField(_l("Line of effort"), validate_choice=False)
    subgroup_ids = SelectMultipleField(
        _l("Sub-working groups"), validate_choice=False,
        description=_l("Optional; sub-groups of the line of effort. Hold Ctrl (⌘ on a Mac) to "
                       "pick several."))
    lead_ids = SelectMultipleField(_l("Led by"), validate_choice=False,
                                   description=_l("At least one country or organization."))
    start_date = DateField(_l("Start date"), validators=[InputRequired(
        _l("A start date is required."))])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Optional; not before the start date."))
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="active",
                         validate_choice=False)
    version = HiddenField()
    idempotency_key = HiddenField()


class LinkActionForm(FlaskForm):
    action_id = SelectField(_l("Open action of the line of effort"), validate_choice=False)
    action_number = IntegerField(_l("or the action's number"),
                                 validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    version = HiddenField()
    idempotency_key = HiddenField()
