"""Meeting times as ranges ("07:00–08:30 (your time)") and the grouped time-zone picker."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests import factories
from wg import formatting
from wg.auth.forms import PreferencesForm
from wg.extensions import db
from wg.i18n import language
from wg.meetings import timezones
from wg.meetings.views.helpers import meeting_range, meeting_when

START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 07:00 in Vienna (CET), 15:00 in Tokyo
END = START + timedelta(minutes=90)
JANUARY = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)  # no daylight saving north of the equator


@pytest.mark.parametrize(("code", "expected"), [
    ("en", "07:00–08:30"),
    ("fr", "07:00\u2009–\u200908:30"),
    ("es", "7:00–8:30"),          # Spanish drops the leading zero
    ("ru", "07:00—08:30"),        # Russian uses an em dash
    ("zh", "07:00–08:30"),
    ("ar", "\u206607:00–08:30\u2069"),  # isolated: start first on a right-to-left line
])
def test_time_range_is_written_each_languages_own_way(app, code, expected):
    with app.test_request_context(), language(code):
        assert formatting.format_time_range(START, END, "Europe/Vienna") == expected


def test_time_range_follows_the_zone_and_crosses_midnight(app):
    with app.test_request_context(), language("en"):
        assert formatting.format_time_range(START, END, "Asia/Tokyo") == "15:00–16:30"
        late = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 23:00-00:30 in Tokyo
        assert formatting.format_time_range(late, late + timedelta(minutes=90), "Asia/Tokyo") \
            == "23:00–00:30"
        # A zero-length range is just its start, never "07:00–07:00".
        assert formatting.format_time_range(START, START, "Europe/Vienna") == "07:00"


def test_offsets_not_abbreviations_and_isolated_for_right_to_left(app):
    with app.test_request_context():
        chicago = (START - timedelta(days=60)).astimezone(timezones.zone("America/Chicago"))
        assert formatting.format_offset(chicago) == "\u2066UTC\u221206:00\u2069"
        kolkata = START.astimezone(timezones.zone("Asia/Kolkata"))
        assert formatting.format_offset(kolkata) == "\u2066UTC+05:30\u2069"
        with language("en"):
            assert formatting.zone_label("Asia/Tokyo", START) == "(\u2066UTC+09:00\u2069) Tokyo"


def _meeting(zone="Europe/Vienna", start=START, minutes=90):
    return SimpleNamespace(start_at=start, duration_minutes=minutes, timezone=zone)


def test_meeting_when_shows_your_range_and_the_anchor_only_when_it_differs(app):
    with app.test_request_context(), language("en"):
        mine = meeting_when(_meeting(), "Europe/Vienna")
        assert mine["yours"] == "Tue, 10 Mar 2026, 07:00–08:30"
        assert mine["anchor"] is None  # the same clock: nothing to add
        # Same offset, another zone (Paris): still the same clock.
        assert meeting_when(_meeting(), "Europe/Paris")["anchor"] is None
        tokyo = meeting_when(_meeting(), "Asia/Tokyo")
        assert tokyo["yours"] == "Tue, 10 Mar 2026, 15:00–16:30"
        assert tokyo["anchor"] == "07:00–08:30"
        assert tokyo["city"] == "Vienna" and "UTC+01:00" in tokyo["offset"]
        # Another day in the anchor zone: the anchor part names its day.
        la = meeting_when(_meeting(), "America/Los_Angeles")
        assert la["yours"].startswith("Mon, 9 Mar 2026, 23:00")
        assert la["anchor"] == "Tue 10 Mar, 07:00–08:30"
        assert meeting_range(_meeting(), "Asia/Tokyo") == "15:00–16:30"


def test_meeting_when_in_arabic_and_chinese(app):
    with app.test_request_context(), language("ar"):
        when = meeting_when(_meeting(), "Asia/Dubai")
        assert when["yours"] == "الثلاثاء، 10 مارس 2026، \u206610:00–11:30\u2069"
        assert when["city"] == "فيينا"
    with app.test_request_context(), language("zh"):
        when = meeting_when(_meeting(), "Asia/Shanghai")
        assert when["yours"] == "2026年3月10日周二 14:00–15:30"
        assert when["anchor"] == "07:00–08:30" and when["city"] == "维也纳"


def _offset_minutes(label):
    sign, hours, minutes = re.match(r"\(\u2066UTC([+\u2212])(\d\d):(\d\d)\u2069\)", label).groups()
    return (-1 if sign == "\u2212" else 1) * (int(hours) * 60 + int(minutes))


def test_picker_puts_the_persons_country_first_then_regions_sorted_by_offset(ctx):
    with ctx.test_request_context(), language("en"):
        canada = factories.participant("CAN")
        choices = timezones.zone_choices(canada, "America/Toronto", now=JANUARY)
        groups = list(choices)
        assert groups[0] == "In Canada"
        first = dict(choices["In Canada"])
        assert "America/Toronto" in first and "America/Vancouver" in first
        assert first["America/Toronto"] == "(\u2066UTC\u221205:00\u2069) Toronto"
        assert "Europe/Vienna" not in first
        assert groups[1:4] == ["Africa", "Americas", "Antarctica"] and groups[-1] == "Other"
        asia = choices["Asia"]
        assert ("Asia/Tokyo", "(\u2066UTC+09:00\u2069) Tokyo, Japan") in asia
        offsets = [_offset_minutes(label) for _, label in asia]
        assert offsets == sorted(offsets)
        every = [name for options in choices.values() for name, _ in options]
        assert "UTC" in every and "US/Central" not in every  # no old aliases, no "CST"
        assert not any(re.search(r"\b[CE]ST\b", label) for options in choices.values()
                       for _, label in options)


def test_picker_keeps_an_alias_the_person_has_and_offers_an_organizations_seat(ctx):
    with ctx.test_request_context(), language("en"):
        unodc = factories.participant("UNODC")
        choices = timezones.zone_choices(unodc, "Asia/Calcutta", now=START)
        first_label, first = next(iter(choices.items()))
        assert first_label == "Your organization's seat"
        assert [name for name, _ in first] == ["Europe/Vienna", "Asia/Calcutta"]
    with ctx.test_request_context(), language("fr"):
        choices = timezones.zone_choices(factories.participant("JPN"), None, now=START)
        assert list(choices)[0] == "Au Japon" or list(choices)[0].endswith("Japon")
        assert choices[list(choices)[0]] == [("Asia/Tokyo", "(\u2066UTC+09:00\u2069) Tokyo")]


def test_single_zone_country_default_and_browser_zone_marker(ctx):
    assert timezones.single_zone(factories.participant("GHA")) == "Africa/Accra"
    assert timezones.single_zone(factories.participant("CAN")) is None
    assert timezones.single_zone(factories.participant("UNODC")) is None
    with ctx.test_request_context(method="GET"), language("en"):
        newcomer = factories.person(participant_code="CAN", timezone="UTC")
        form = PreferencesForm(obj=newcomer, person=newcomer)
        assert form.timezone.render_kw == {"data-default-browser-zone": "1"}
        settled = factories.person(participant_code="CAN", timezone="America/Toronto")
        form = PreferencesForm(obj=settled, person=settled)
        assert not (form.timezone.render_kw or {}).get("data-default-browser-zone")
        html = form.timezone()
        assert '<optgroup label="In Canada">' in html
        assert '<option selected value="America/Toronto">' in html


def test_admin_created_person_gets_the_countrys_only_zone(ctx, now):
    from wg.auth import services as auth

    ghana = auth.create_person(name="Ama Owusu", email="ama@example.org",
                               participant=factories.participant("GHA"), now=now)
    canada = auth.create_person(name="Jo Tremblay", email="jo@example.org",
                                participant=factories.participant("CAN"), now=now)
    chosen = auth.create_person(name="Ana Ruiz", email="ana@example.org", timezone="Europe/Madrid",
                                participant=factories.participant("GHA"), now=now)
    assert (ghana.timezone, canada.timezone, chosen.timezone) == ("Africa/Accra", "UTC",
                                                                  "Europe/Madrid")


def test_login_takes_the_browsers_zone_only_while_nobody_chose_one(app, web):
    from wg.auth import services as auth

    with app.app_context():
        factories.person(email="fresh@example.org", timezone="UTC")
        chose_utc = factories.person(email="utc@example.org", timezone="UTC")
        auth.update_preferences(chose_utc, timezone="UTC", language="en", now=START)
        auth.update_preferences(chose_utc, timezone="Europe/Paris", language="en", now=START)
        auth.update_preferences(chose_utc, timezone="UTC", language="en", now=START)
        db.session.commit()

    def log_in(email, zone):
        response = web.post("/login", {"email": email, "password": factories.PASSWORD,
                                       "browser_zone": zone})
        assert response.status_code == 302
        web.post("/logout", {}, form_page="/logout")

    log_in("fresh@example.org", "Not/AZone")  # nonsense is ignored, the log-in still works
    log_in("utc@example.org", "Asia/Tokyo")
    log_in("fresh@example.org", "Asia/Tokyo")
    log_in("fresh@example.org", "America/Lima")  # taken once: now it is theirs
    with app.app_context():
        assert auth.find_person_by_email("fresh@example.org").timezone == "Asia/Tokyo"
        assert auth.find_person_by_email("utc@example.org").timezone == "UTC"  # their choice
        assert not auth.zone_unchosen(auth.find_person_by_email("fresh@example.org"))


@pytest.mark.slow
def test_browser_reports_its_zone_at_login(app, live_server, browser):
    from tests.browser import log_in
    from wg.auth import services as auth

    with app.app_context():
        factories.person(email="newcomer@example.org", timezone="UTC")
        db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo")
    page = context.new_page()
    log_in(page, live_server, "newcomer@example.org", factories.PASSWORD)
    page.goto(live_server + "/profile")
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"
    context.close()
    with app.app_context():
        assert auth.find_person_by_email("newcomer@example.org").timezone == "Asia/Tokyo"
