"""Meeting pages and feeds in a person's language: Babel-formatted months, weekdays and rules."""

from flask_babel import refresh

from tests.meetings.test_views import world  # noqa: F401 - the shared fixture
from wg.extensions import db
from wg.i18n import language
from wg.meetings import recurrence


def test_month_page_names_months_and_weekdays_in_the_viewers_language(world, login):  # noqa: F811
    coordinator = world["people"]["coordinator"]
    coordinator.language = "fr"
    db.session.commit()
    web = login(coordinator)
    refresh()  # the tests share one app context, where Flask-Babel keeps the chosen locale
    page = web.get("/meetings/calendar?month=2026-03").get_data(as_text=True)
    assert "mars 2026" in page and "lun." in page
    assert "March 2026" not in page and ">Mon<" not in page
    coordinator.language = "en"
    db.session.commit()
    refresh()
    page = web.get("/meetings/calendar?month=2026-03").get_data(as_text=True)
    assert "Meetings in March 2026" in page and ">Mon<" in page


def test_feed_changes_etag_when_its_owner_changes_language(world, client):  # noqa: F811
    member = world["people"]["member"]
    url = f"/calendar/{member.calendar_token}.ics"
    english = client.get(url)
    assert english.status_code == 200 and b"Meeting page: " in english.data
    member.language = "ar"
    db.session.commit()
    arabic = client.get(url, headers={"If-None-Match": english.headers["ETag"]})
    assert arabic.status_code == 200 and arabic.headers["ETag"] != english.headers["ETag"]


def test_rules_read_as_before_in_english_and_use_the_languages_weekday_names(app):
    with app.test_request_context(), language("en"):
        assert recurrence.describe_rule("weekday", 2, 1) == "the second Tuesday of every month"
        assert recurrence.describe_rule("monthday", month_day=22) == "the 22nd of every month"
        assert recurrence.describe_rule("monthday", month_day=13) == "the 13th of every month"
        assert recurrence.describe_rule("monthday", month_day=31) == (
            "the 31st of every month (or the month's last day)")
    with app.test_request_context(), language("fr"):
        assert "mardi" in recurrence.describe_rule("weekday", 2, 1)
