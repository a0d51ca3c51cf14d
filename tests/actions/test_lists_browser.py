"""In Chromium at phone width: the actions list as cards, and the responsible-countries picker."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests import factories as f
from wg.extensions import db

PHONE = {"width": 390, "height": 844}


def _login(context, base, email):
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    return page


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.slow
def test_phone_action_cards_and_country_picker(app, live_server, browser):
    with app.app_context():
        w = f.coalition()
        swg = w["groups"]["SWG1.1"]
        for code in ("BEL", "CAN", "GHA", "NLD", "ARE"):
            f.membership(f.person(f"Expert {code}", f"x-{code.lower()}@example.org", code), swg)
        f.action(swg, "Seize pill presses at ports with a rather long title that wraps",
                 owner=w["people"]["member"], due_date=date.today() - timedelta(days=20))
        f.action(swg, "Share precursor alerts", due_date=date.today() + timedelta(days=9))
        db.session.commit()

    chair = _login(browser.new_context(viewport=PHONE), live_server, "chair@example.org")
    console = []
    chair.on("console", lambda message: console.append(message.text))
    chair.goto(live_server + "/actions/")
    cards = chair.get_by_test_id("action-card")
    expect(cards).to_have_count(2)
    expect(chair.locator("table")).to_be_hidden()
    first = cards.first
    expect(first).to_contain_text("Seize pill presses")  # overdue first
    expect(first.get_by_test_id("card-due")).to_be_visible()
    expect(first.get_by_text("Overdue")).to_be_visible()
    expect(first.locator(".badge").first).to_be_visible()  # the status
    box = first.get_by_test_id("card-due").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert _no_sideways_scroll(chair)

    # The picker: the filter narrows the list, ticked ones stay, the form saves them.
    chair.goto(live_server + "/actions/new/swg1-1")
    assert _no_sideways_scroll(chair)
    options = chair.get_by_test_id("participant_ids-options")
    visible = options.locator("[data-picker-item]:visible")
    total = visible.count()
    assert total >= 6
    chair.get_by_label("Filter by name or code").fill("can")
    expect(visible).to_have_count(1)
    options.get_by_label("Canada (CAN)").check()
    chair.get_by_label("Filter by name or code").fill("gha")
    expect(visible).to_have_count(2)  # Ghana, and Canada kept in view because it is ticked
    options.get_by_label("Ghana (GHA)").check()
    chair.get_by_label("Filter by name or code").fill("zzz")
    expect(visible).to_have_count(2)
    expect(chair.get_by_text("No country or organization matches")).to_be_hidden()
    chair.get_by_label("Filter by name or code").fill("")
    expect(visible).to_have_count(total)
    chair.get_by_label("Filter by name or code").press("Enter")  # does not submit the form
    expect(chair).to_have_url(live_server + "/actions/new/swg1-1")
    chair.get_by_label("Title").fill("Joint port inspections")
    chair.get_by_label("Due date").fill("2030-03-01")
    chair.get_by_role("button", name="Add action").click()
    expect(chair.get_by_role("alert")).to_contain_text("Joint port inspections")
    assert not [m for m in console if "Content Security Policy" in m], console
    responsible = chair.locator("dt", has_text="Responsible").locator("xpath=following-sibling::dd[1]")
    expect(responsible).to_have_text("Canada, Ghana")
