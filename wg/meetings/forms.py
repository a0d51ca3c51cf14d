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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wg.auth.forms import timezone_choices
from wg.meetings.recurrence import WEEKDAY_NAMES
from wg.meetings.services import ALARM_CHOICES, MeetingInput, SeriesInput

WEEK_CHOICES = [("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _TimeFields:
    def _zone_choices(self):
        self.timezone.choices = timezone_choices()


class SeriesForm(FlaskForm, _TimeFields):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)],
                        default="Monthly meeting")
    rule_kind = RadioField("Repeats on", choices=[
        ("weekday", "A weekday of the month (e.g. the second Tuesday)"),
        ("monthday", "A day of the month (e.g. the 15th)")], default="weekday")
    week = SelectField("Which", choices=WEEK_CHOICES, default="2")
    weekday = SelectField("Weekday", choices=[(str(i), n) for i, n in enumerate(WEEKDAY_NAMES)],
                          default="1")
    month_day = IntegerField("Day of the month", validators=[Optional()], default=15,
                             description="29, 30 or 31 fall on the last day in shorter months.")
    start_time = TimeField("Start time (local, in the anchor zone)", validators=[DataRequired()])
    timezone = SelectField("Anchor time zone", validate_choice=False, default="Europe/Vienna")
    duration_minutes = IntegerField("Duration (minutes)", validators=[InputRequired()], default=90)
    place = StringField("Place", validators=[Optional(), Length(max=300)], default="Online")
    video_url = StringField("Video link", validators=[Optional(), Length(max=500)])
    first_date = DateField("First date", validators=[DataRequired()])
    last_date = DateField("Last date (optional)", validators=[Optional()])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    preview = SubmitField("Show what this time means for members")
    submit = SubmitField("Save series")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone_choices()

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
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    day = DateField("Date (in the anchor zone)", validators=[DataRequired()])
    start_time = TimeField("Start time (local, in the anchor zone)", validators=[DataRequired()])
    timezone = SelectField("Anchor time zone", validate_choice=False, default="Europe/Vienna")
    duration_minutes = IntegerField("Duration (minutes)", validators=[InputRequired()], default=90)
    place = StringField("Place", validators=[Optional(), Length(max=300)], default="Online")
    video_url = StringField("Video link", validators=[Optional(), Length(max=500)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    preview = SubmitField("Show what this time means for members")
    submit = SubmitField("Save meeting")

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
    reason = TextAreaField("Reason (members see it)", validators=[DataRequired(),
                                                                  Length(max=1000)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    submit = SubmitField("Cancel this meeting")


class AgendaItemForm(FlaskForm):
    title = StringField("Item", validators=[DataRequired(), Length(max=300)])
    presenter = StringField("Presenter", validators=[Optional(), Length(max=200)])
    minutes_allotted = IntegerField("Minutes", validators=[Optional()])
    link = StringField("Link", validators=[Optional(), Length(max=500)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    submit = SubmitField("Add item")


class MinutesForm(FlaskForm):
    minutes = TextAreaField("Minutes (Markdown)", validators=[Length(max=100_000)])
    # The version the form was made from (a stale save is refused with 409).
    version = HiddenField()
    submit = SubmitField("Save minutes")
    publish = SubmitField("Save and publish")


class DecisionForm(FlaskForm):
    decision = TextAreaField("Decision", validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField("Record decision")


class AlarmForm(FlaskForm):
    alarm_minutes = SelectField("Reminder before each meeting", coerce=int, choices=[
        (m, "No reminder" if m == 0 else (f"{m} minutes" if m < 60 else
                                           (f"{m // 60} hour{'s' if m >= 120 else ''}"
                                            if m < 1440 else "1 day"))) for m in ALARM_CHOICES])
    submit = SubmitField("Save reminder")
