"""In Chromium: a member updates an action from My actions and a lead sees the rollup move."""

from datetime import date

from playwright.sync_api import expect

from tests import factories as f
from wg.extensions import db


def _login(context, base, email):
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    return page


def test_member_update_moves_lead_rollup(app, live_server, browser):
    with app.app_context():
        w = f.coalition()
        f.action(w["groups"]["SWG1.1"], "Survey precursor importers",
                 owner=w["people"]["member"], due_date=date(2030, 1, 1), weight=2)
        f.action(w["groups"]["SWG1.2"], "Map trafficking routes", due_date=date(2030, 1, 1),
                 weight=2)
        db.session.commit()

    lead = _login(browser.new_context(), live_server, "lead@example.org")
    lead.goto(live_server + "/rollups/groups/wg1")
    percent = lead.locator('section[data-scope="WG1"] [data-figure="percent"]')
    expect(percent).to_have_text("0.0%")

    member = _login(browser.new_context(viewport={"width": 390, "height": 844}), live_server,
                    "member@example.org")
    member.goto(live_server + "/actions/mine")
    card = member.locator("article", has_text="Survey precursor importers")
    card.get_by_label("Progress %").fill("60")
    card.get_by_label("Status").select_option("in_progress")
    card.get_by_label("Note").fill("Questionnaire sent to 12 importers")
    card.get_by_role("button", name="Record").click()
    expect(member.get_by_role("alert")).to_contain_text("Progress recorded")
    expect(member.locator("article", has_text="Survey precursor importers")).to_contain_text(
        "60%")

    lead.reload()
    # (2 × 60 + 2 × 0) ÷ (2 + 2) = 30 %
    expect(percent).to_have_text("30.0%")
    expect(lead.locator('tr[data-scope="SWG1.1"] [data-figure="percent"]')).to_have_text(
        "60.0%")
