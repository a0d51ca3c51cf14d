from babel import dates
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from wg import formatting
from wg.auth.forms import timezone_choices
from wg.meetings.services import ALARM_CHOICES, MeetingInput, SeriesInput
from wg.sensitivity import sensitivity_field
from wg.validators import MaxLength

WEEK_CHOICES = [("1", _l("First")), ("2", _l("Second")), ("3", _l("Third")),
                ("4", _l("Fourth")), ("-1", _l("Last"))]


def weekday_choices():
    """Monday to Sunday (0-6), named in the viewer's language."""
    names = dates.get_day_names("wide", context="stand-alone", locale=formatting.locale())
    return [(str(i), names[i]) for i in range(7)]


def alarm_label(minutes):
    if minutes == 0:
        return _("No reminder")
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if minutes < 1440:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d day", "%(num)d days", minutes // 1440)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _TimeFields:
    def _zone_choices(self):
        # The chair's own country's zones first, then every zone by region.
        from flask_login import current_user

        self.timezone.choices = timezone_choices(getattr(current_user, "participant", None),
                                                 self.timezone.data)


class SeriesForm(FlaskForm, _TimeFields):
    title = StringField(_l("Title"), validators=[DataRequired(), MaxLength(200)],
                        default=_l("Monthly meeting"))
    rule_kind = RadioField(_l("Repeats on"), choices=[
        ("weekday", _l("A weekday of the month (e.g. the second Tuesday)")),
        ("monthday", _l("A day of the month (e.g. the 15th)"))], default="weekday")
    week = SelectField(_l("Which"), choices=WEEK_CHOICES, default="2")
    weekday = SelectField(_l("Weekday"), choices=[(str(i), str(i)) for i in range(7)], default="1")
    month_day = IntegerField(_l("Day of the month"), validators=[Optional()], default=15,
                             description=_l("29, 30 or 31 fall on the last day in shorter months."))
    start_time = TimeField(_l("Start time (local, in the anchor zone)"), validators=[DataRequired()])
    timezone = SelectField(_l("Anchor time zone"), validate_choice=False, default="Europe/Vienna")
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[InputRequired()], default=90)
    place = StringField(_l("Place"), validators=[Optional(), MaxLength(300)], default=_l("Online"))
    video_url = StringField(_l("Video link"), validators=[Optional(), MaxLength(500)])
    first_date = DateField(_l("First date"), validators=[DataRequired()])
    last_date = DateField(_l("Last date (optional)"), validators=[Optional()])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    preview = SubmitField(_l("Show what this time means for members"))
    submit = SubmitField(_l("Save series"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone_choices()
        self.weekday.choices = weekday_choices()

    def to_input(self):
        return SeriesInput(
            title=self.title.data or "", rule_kind=self.rule_kind.data,
            week=_int_or_none(self.week.data), weekday=_int_or_none(self.weekday.data),
            month_day=self.month_day.data, start_time=self.start_time.data,
            timezone=self.timezone.data, duration_minutes=self.duration_minutes.data,
            place=self.place.data or "", video_url=(self.video_url.data or "").strip(),
            first_date=self.first_date.data, last_date=self.last_date.data,
        )

    def fill(self, data):
        self.title.data, self.rule_kind.data = data.title, data.rule_kind
        self.week.data = str(data.week) if data.week is not None else "2"
        self.weekday.data = str(data.weekday) if data.weekday is not None else "1"
        self.month_day.data = data.month_day or 15
        self.start_time.data, self.timezone.data = data.start_time, data.timezone
        self.duration_minutes.data, self.place.data = data.duration_minutes, data.place
        self.video_url.data, self.first_date.data = data.video_url, data.first_date
        self.last_date.data = data.last_date


class MeetingForm(FlaskForm, _TimeFields):
    title = StringField(_l("Title"), validators=[DataRequired(), MaxLength(200)])
    day = DateField(_l("Date (in the anchor zone)"), validators=[DataRequired()])
    start_time = TimeField(_l("Start time (local, in the anchor zone)"), validators=[DataRequired()])
    timezone = SelectField(_l("Anchor time zone"), validate_choice=False, default="Europe/Vienna")
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[InputRequired()], default=90)
    place = StringField(_l("Place"), validators=[Optional(), MaxLength(300)], default=_l("Online"))
    video_url = StringField(_l("Video link"), validators=[Optional(), MaxLength(500)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    preview = SubmitField(_l("Show what this time means for members"))
    submit = SubmitField(_l("Save meeting"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone_choices()

    def to_input(self):
        return MeetingInput(
            title=self.title.data or "", day=self.day.data, start_time=self.start_time.data,
            timezone=self.timezone.data, duration_minutes=self.duration_minutes.data,
            place=self.place.data or "", video_url=(self.video_url.data or "").strip(),
        )

    def fill(self, data):
        for name in ("title", "day", "start_time", "timezone", "duration_minutes", "place",
                     "video_url"):
            getattr(self, name).data = getattr(data, name)


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (members see it)"), validators=[DataRequired(),
                                                                  MaxLength(1000)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    submit = SubmitField(_l("Cancel this meeting"))


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Item"), validators=[DataRequired(), MaxLength(300)])
    presenter = StringField(_l("Presenter"), validators=[Optional(), MaxLength(200)])
    minutes_allotted = IntegerField(_l("Minutes"), validators=[Optional()])
    link = StringField(_l("Link"), validators=[Optional(), MaxLength(500)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), MaxLength(5000)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    submit = SubmitField(_l("Add item"))


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes (Markdown)"), validators=[MaxLength(100_000)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save minutes"))
    publish = SubmitField(_l("Save and publish"))


class DecisionForm(FlaskForm):
    decision = TextAreaField(_l("Decision"), validators=[DataRequired(), MaxLength(2000)])
    submit = SubmitField(_l("Record decision"))


class AlarmForm(FlaskForm):
    alarm_minutes = SelectField(_l("Reminder before each meeting"), coerce=int,
                                choices=[(m, str(m)) for m in ALARM_CHOICES])
    submit = SubmitField(_l("Save reminder"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alarm_minutes.choices = [(m, alarm_label(m)) for m in ALARM_CHOICES]


class LabelsForm(FlaskForm):
    """The TLP labels of a meeting and of its minutes."""

    sensitivity = sensitivity_field(_l("Meeting (TLP)"))
    minutes_sensitivity = sensitivity_field(
        _l("Minutes (TLP)"), _l("The minutes may be more (or less) sensitive than the meeting."))
    version = HiddenField()
    submit = SubmitField(_l("Save labels"))
