"""The lead's answer first, in real Chromium: who has not reported comes before the owners, one
"How is this computed?" per page, a dashboard whose tables fit, a chart whose axes are titled."""

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.browser import log_in
from wg.actions import services as actions
from wg.auth.models import Person
from wg.db_types import utcnow
from wg.extensions import db

pytestmark = pytest.mark.slow

CLIPPED = """wrapper => [...document.querySelectorAll(wrapper + ', ' + wrapper + ' *')]
  .filter(e => !e.closest('.visually-hidden') && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 30))"""


def _many_owners(owners=40):
    """WG1 with `owners` quiet owners (as on a real line of effort) and three quiet countries:
    Kenya never reported, Japan 60 days ago, Brazil 35 days ago (before this month,
    so before the cycle whatever the date)."""
    world = f.coalition()
    g, chair = world["groups"], world["people"]["chair"]
    now = utcnow()
    created = now - timedelta(days=200)
    countries = {code: f.participant(code) for code in ("KEN", "JPN", "BRA")}
    for i in range(owners):
        code = ("KEN", "JPN", "BRA")[i % 3]
        group = g["SWG1.1"] if i % 2 else g["SWG1.2"]
        owner = f.person(f"Owner {i:02d}", participant_code=code, password=None)
        f.membership(owner, group)
        a = f.action(group, f"Action {i}", owner=owner, participants=[countries[code]],
                     due_date=date(2030, 1, 1), now=created)
        if code != "KEN":
            days = 60 if code == "JPN" else 35
            actions.record_progress(a, chair, "in_progress", 10, "n", None,
                                    now - timedelta(days=days))
    db.session.commit()
    return world


def _top(page, selector):
    return page.locator(selector).bounding_box()["y"]


def test_not_reported_list_comes_first_on_the_line_of_effort(app, live_server, browser):
    with app.app_context():
        _many_owners()
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, live_server, "lead@example.org", f.PASSWORD)
        page.goto(f"{live_server}/rollups/groups/wg1")
        listed = page.locator("#quiet-participants > li")
        assert [listed.nth(i).get_attribute("data-participant") for i in range(3)] == [
            "KEN", "JPN", "BRA"]  # longest silence first, by name not code
        assert listed.nth(0).inner_text().startswith("Kenya")
        assert "never reported" in listed.nth(0).inner_text()
        assert "60 days since last report" in listed.nth(1).inner_text()
        # Before the owners in the document and on screen; the owners are folded.
        assert page.evaluate("""() => !!(document.querySelector('#quiet-participants')
            .compareDocumentPosition(document.querySelector('#quiet-owners'))
            & Node.DOCUMENT_POSITION_FOLLOWING)""")
        summary = page.locator("#quiet-owners > summary")
        assert summary.inner_text().strip() == "Owners (40)"
        assert _top(page, "#quiet-participants") < _top(page, "#quiet-owners > summary")
        assert not page.locator("#quiet-owners li").first.is_visible()
        if width == 390:  # within the first screen and a half of a phone
            assert _top(page, "#quiet-participants > li:last-child") < 1.5 * height
        assert page.get_by_text("How is this computed?", exact=True).count() == 1
        assert page.locator("details > summary", has_text="How is this computed?").count() == 1
        summary.click()
        owner = page.locator("#quiet-owners li").first
        assert owner.is_visible() and "person #" not in owner.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_dashboard_tables_fit_and_chart_axes_are_titled(app, live_server, browser, language):
    with app.app_context():
        world = f.coalition()
        for code in ("SWG1.1", "SWG3.1", "WG3"):
            f.action(world["groups"][code], f"Action of {code}", due_date=date(2030, 1, 1))
        coordinator = db.session.get(Person, world["people"]["coordinator"].id)
        coordinator.language = language
        db.session.commit()
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, live_server, "coordinator@example.org", f.PASSWORD)
        page.goto(f"{live_server}/rollups/")
        assert page.locator("details#how-computed").count() == 1
        if width == 1280:
            tables = page.locator(".children-table")
            assert tables.count() == 3 and tables.first.is_visible()
            assert page.evaluate(CLIPPED, ".children-table") == []
            assert page.locator(".children-table th").last.is_visible()
        else:
            assert not page.locator(".children-table").first.is_visible()
            assert page.locator(".children-cards").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        chart = page.locator("svg.trend-chart").first.bounding_box()
        titles = page.locator("svg.trend-chart").first.locator("text.axis-title")
        assert titles.count() == 3
        for i in range(3):
            box = titles.nth(i).bounding_box()
            assert titles.nth(i).text_content().strip()
            assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"]
            assert chart["y"] <= box["y"] and box["y"] + box["height"] <= chart["y"] + chart["height"]
        context.close()
