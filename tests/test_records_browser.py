"""In Chromium: an initiative's rollup moves when a linked action progresses; a decision recorded
at a meeting is found in the register with the filter."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.meetings.helpers import meeting_input
from wg.db_types import utcnow
from wg.extensions import db
from wg.groups.models import Role
from wg.meetings import services as meetings

pytestmark = pytest.mark.slow


def _login(browser, base, person):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def test_initiative_rollup_moves_with_its_action(ctx, live_server, browser):
    world = factories.coalition()
    lead = world["people"]["lead"]
    factories.membership(lead, world["groups"]["SWG1.1"], Role.chair)  # may log progress too
    action = factories.action(world["groups"]["SWG1.1"], title="Map the clandestine labs",
                              weight=3)
    db.session.commit()

    page = _login(browser, live_server, lead)
    page.goto(live_server + "/initiatives/")
    page.get_by_role("link", name="New initiative").click()
    page.get_by_label("Title").fill("Detecting production sites together")
    page.get_by_label("Line of effort").select_option(label=page.locator(
        "#group_id option", has_text="WG1").first.inner_text())
    page.get_by_label("Led by").select_option(label="Mexico (MEX)")
    page.get_by_label("Start date").fill("2024-09-24")
    page.get_by_label("Goal").fill("Find **labs** sooner.")
    page.get_by_role("button", name="Create initiative").click()
    expect(page.get_by_role("heading", name="Detecting production sites together")).to_be_visible()
    percent = page.locator('#initiative-figures [data-figure="percent"]')
    expect(percent).to_have_text("—")

    page.get_by_label("or the action's number").fill(str(action.id))
    page.get_by_role("button", name="Link", exact=True).click()
    expect(percent).to_have_text("0.0%")
    page.get_by_role("link", name="Map the clandestine labs").click()
    expect(page.get_by_text("Part of initiative")).to_be_visible()
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Progress (%)").fill("40")
    page.get_by_role("button", name="Record progress").click()
    page.get_by_role("link", name="Detecting production sites together").click()
    expect(percent).to_have_text("40.0%")
    page.get_by_text("How is this computed?").click()
    expect(page.get_by_text("Here: 120 ÷ 3")).to_be_visible()


def test_decision_recorded_at_a_meeting_is_in_the_register(ctx, live_server, browser):
    world = factories.coalition()
    chair = world["people"]["chair"]
    meeting = meetings.add_extra_meeting(world["groups"]["SWG1.1"], chair,
                                         meeting_input(day=date(2026, 2, 3)), utcnow())
    db.session.commit()

    page = _login(browser, live_server, chair)
    page.goto(f"{live_server}/meetings/{meeting.id}")
    page.locator("summary", has_text="Record a decision").click()
    page.get_by_label("Decision", exact=True).fill("Share precursor seizure data every month.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", name="Decision SWG1.1-2026/1")).to_be_visible()

    page.get_by_role("link", name="Decisions", exact=True).first.click()
    page.get_by_label("Group").select_option("swg1-1")
    page.get_by_label("Status").select_option("open")
    page.get_by_label("From").fill("2026-02-01")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("tr[data-decision]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Share precursor seizure data every month.")
    row.get_by_role("link", name=meeting.title).click()
    expect(page.get_by_text("SWG1.1-2026/1")).to_be_visible()
