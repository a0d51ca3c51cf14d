"""Two coordinators in two real Chromium sessions: the second save is refused, nothing lost."""

from tests import factories
from tests.browser import log_in
from wg.extensions import db


def _two_pages(browser, live_server):
    pages = []
    for email in ("coordinator@example.org", "coord2@example.org"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server, email, factories.PASSWORD)
        pages.append(page)
    return pages


def test_two_coordinators_edit_one_person_and_one_pledge(app, live_server, browser):
    with app.app_context():
        c = factories.coalition()
        factories.person("Second Coordinator", "coord2@example.org", "CAN", is_coordinator=True)
        peru = factories.participant("PER")
        db.session.commit()
        member_id, peru_name = c["people"]["member"].id, peru.name
    a, b = _two_pages(browser, live_server)

    # The same person, opened by both.
    for page in (a, b):
        page.goto(f"{live_server}/admin/people/{member_id}")
    a.get_by_label("Name").fill("Mem A. Member")
    a.get_by_role("button", name="Save").click()
    a.wait_for_load_state()
    assert "Saved." in a.content()
    b.get_by_label("Name").fill("Mem B. Member")
    b.get_by_role("button", name="Save").click()
    b.wait_for_load_state()
    alert = b.locator("#stale-edit")
    assert alert.is_visible() and "Cora Coordinator" in alert.inner_text()
    assert "Mem A. Member" in alert.inner_text()  # what changed, by whom
    assert b.get_by_label("Name").input_value() == "Mem B. Member"  # typed text kept
    a.reload()
    assert a.get_by_label("Name").input_value() == "Mem A. Member"  # the first save stands

    # The same unsigned pledge, opened by both.
    for page in (a, b):
        page.goto(f"{live_server}/participants/PER/pledge")
        page.get_by_text("Record the signature").click()
    a.get_by_label("Signed on").fill("2025-05-01")
    a.get_by_role("button", name="Record signature").click()
    a.wait_for_load_state()
    assert f"{peru_name} signed the Coalition Pledge on Thursday, 1 May 2025" in a.content()
    b.get_by_label("Signed on").fill("2025-06-01")
    b.get_by_role("button", name="Record signature").click()
    b.wait_for_load_state()
    assert b.locator("#stale-edit").is_visible()
    assert "signed the Pledge" in b.locator("#stale-edit").inner_text()
    assert b.get_by_label("Signed on").input_value() == "2025-06-01"  # typed, kept
    b.goto(f"{live_server}/participants/PER/pledge")
    assert "1 May 2025" in b.locator("#signature").inner_text()
