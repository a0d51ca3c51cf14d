"""In Chromium: type in the navbar's search box, see highlighted results, open one; and
screenshots of the results page at 1280 and 390 px."""

import os

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.ux.test_axe import run_axe
from wg.extensions import db

pytestmark = pytest.mark.slow
SHOTS = os.environ.get("SEARCH_SCREENSHOTS", "")


def test_navbar_search_finds_and_opens(ctx, live_server, browser):
    world = factories.coalition()
    member = world["people"]["member"]
    action = factories.action(world["groups"]["SWG1.1"], title="Trace precursor shipments")
    action.description = "Exchange <b>precursor</b> seizure data with customs."
    factories.action(world["groups"]["SWG1.1"], title="Precursor watch list review")
    factories.action(world["groups"]["SWG3.2"], title="Precursor plan of another group")
    db.session.commit()

    for width in (1280, 390):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.set_default_timeout(15000)
        page.goto(live_server + "/login")
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if width < 992:
            page.get_by_text("Menu").click()
        box = page.get_by_role("search").get_by_label("Search")
        box.fill("precursor")
        box.press("Enter")
        expect(page.get_by_role("heading", name="Search")).to_be_visible()
        expect(page.locator('.search-result[data-type="action"]')).to_have_count(2)
        expect(page.get_by_text("Precursor plan of another group")).to_have_count(0)
        expect(page.locator(".search-snippet mark").first).to_have_text("precursor")
        # The stored markup is shown as text, never applied.
        expect(page.get_by_text("Exchange <b>precursor</b> seizure data")).to_have_count(1)
        expect(page.locator(".search-snippet b")).to_have_count(0)
        assert run_axe(page) == []
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"search-{width}.png"), full_page=True)
        page.get_by_role("link", name="Trace precursor shipments").click()
        expect(page).to_have_url(f"{live_server}/actions/{action.id}")
        page.context.close()
