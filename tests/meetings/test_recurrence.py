"""Monthly rules and local times, checked against the calendar."""

import calendar
from datetime import UTC, date, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wg.meetings import recurrence


def _rule_dates(**kw):
    rule = recurrence.monthly_rule(first_date=date(2026, 1, 1), **kw)
    return recurrence.occurrence_dates(rule, date(2027, 12, 31))


@pytest.mark.parametrize("week", [1, 2, 3, 4, -1])
@pytest.mark.parametrize("weekday", range(7))
def test_nth_and_last_weekday_over_two_years(week, weekday):
    dates = _rule_dates(kind="weekday", week=week, weekday=weekday)
    assert len(dates) == 24
    for day in dates:
        same = [d for d in calendar.Calendar().itermonthdates(day.year, day.month)
                if d.month == day.month and d.weekday() == weekday]
        assert day == same[week - 1 if week > 0 else -1]


@pytest.mark.parametrize("month_day", [1, 15, 28, 29, 30, 31])
def test_day_of_month_clamped_to_month_end_over_two_years(month_day):
    dates = _rule_dates(kind="monthday", month_day=month_day)
    assert len(dates) == 24
    for i, day in enumerate(dates):
        year, month = 2026 + i // 12, i % 12 + 1
        last = calendar.monthrange(year, month)[1]
        assert day == date(year, month, min(month_day, last))


def test_day_31_in_february_and_leap_year():
    rule = recurrence.monthly_rule(kind="monthday", first_date=date(2028, 1, 1), month_day=31)
    dates = recurrence.occurrence_dates(rule, date(2028, 4, 30))
    assert dates == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]


def test_vienna_14h_stays_14h_across_dst_and_utc_moves():
    rule = recurrence.monthly_rule(kind="weekday", first_date=date(2026, 1, 1), week=2,
                                   weekday=1)
    dates = recurrence.occurrence_dates(rule, date(2026, 12, 31))
    vienna = ZoneInfo("Europe/Vienna")
    utc_hours = {}
    for day in dates:
        instant = recurrence.local_to_utc(day, time(14, 0), "Europe/Vienna")
        local = instant.astimezone(vienna)
        assert (local.date(), local.hour, local.minute) == (day, 14, 0)
        utc_hours[day.month] = instant.astimezone(UTC).hour
    # Winter (CET, UTC+1): 13:00 UTC; summer (CEST, UTC+2): 12:00 UTC.
    assert utc_hours[2] == 13 and utc_hours[3] == 13  # 10 March: before the 29 March change
    assert utc_hours[4] == 12 and utc_hours[10] == 12  # 13 October: before the 25 Oct change
    assert utc_hours[11] == 13


def test_time_in_dst_gap_is_refused():
    with pytest.raises(recurrence.NonexistentLocalTime):
        recurrence.local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Vienna")
    assert recurrence.local_to_utc(date(2026, 3, 29), time(3, 30), "Europe/Vienna").hour == 1


def test_unknown_zone_is_a_value_error():
    for name in ["Mars/Olympus", "", "../etc/passwd"]:
        with pytest.raises(ValueError):
            recurrence.zone(name)


def test_rule_with_last_date_before_any_occurrence_is_empty():
    rule = recurrence.monthly_rule(kind="weekday", first_date=date(2026, 3, 15),
                                   last_date=date(2026, 3, 31), week=1, weekday=0)
    assert recurrence.occurrence_dates(rule, date(2027, 1, 1)) == []


def test_horizon_is_at_least_twelve_months_ahead():
    assert recurrence.horizon(date(2026, 3, 10)) >= date(2027, 3, 10)


ZONES = ["Europe/Vienna", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "America/Santiago", "Pacific/Chatham", "Africa/Accra", "America/St_Johns"]


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["weekday", "monthday"]),
    week=st.sampled_from([1, 2, 3, 4, -1]),
    weekday=st.integers(0, 6),
    month_day=st.integers(1, 31),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    zone_name=st.sampled_from(ZONES),
)
def test_every_occurrence_keeps_its_wall_clock_time(kind, week, weekday, month_day, first, hour,
                                                    minute, zone_name):
    rule = recurrence.monthly_rule(kind=kind, first_date=first, week=week, weekday=weekday,
                                   month_day=month_day)
    dates = recurrence.occurrence_dates(rule, first.replace(year=first.year + 2, day=1))
    assert 23 <= len(dates) <= 25
    months = [(d.year, d.month) for d in dates]
    assert len(set(months)) == len(months)  # one meeting a month
    tz = ZoneInfo(zone_name)
    for day in dates:
        try:
            instant = recurrence.local_to_utc(day, time(hour, minute), zone_name)
        except recurrence.NonexistentLocalTime:
            continue
        local = instant.astimezone(tz)
        assert (local.date(), local.hour, local.minute) == (day, hour, minute)
