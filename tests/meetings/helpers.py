from datetime import date, time

from wg.meetings import services
from wg.meetings.services import MeetingInput, SeriesInput


def series_input(**fields):
    values = dict(title="Monthly meeting", rule_kind="weekday", week=2, weekday=1, month_day=None,
                  start_time=time(14, 0), timezone="Europe/Vienna", duration_minutes=90,
                  place="Online", video_url="https://video.example.org/swg11",
                  first_date=date(2026, 1, 1), last_date=None)
    values.update(fields)
    return SeriesInput(**values)


def meeting_input(**fields):
    values = dict(title="Extra meeting", day=date(2026, 4, 20), start_time=time(15, 0),
                  timezone="Europe/Vienna", duration_minutes=60, place="Online", video_url="")
    values.update(fields)
    return MeetingInput(**values)


def make_series(group, chair, now, include_past=True, **fields):
    """A series with its meetings from the first date (past ones too, as tests need them)."""
    return services.create_series(group, chair, series_input(**fields), now,
                                  include_past=include_past)
