"""Real pages in real headless Chromium."""

from tests import factories
from tests.browser import log_in
from wg.extensions import db


def test_log_in_see_structure_log_out(app, live_server, page):
    with app.app_context():
        factories.coalition()
        db.session.commit()
    log_in(page, live_server, "member@example.org", factories.PASSWORD)
    assert page.get_by_role("heading", name="Welcome, Mem").is_visible()
    page.get_by_role("link", name="Structure", exact=True).click()
    assert page.get_by_role("heading", name="The coalition's structure").is_visible()
    assert page.get_by_role("heading", name="WG2 · Detect emerging drug threats and use patterns").is_visible()
    assert page.locator("a", has_text="SWG1.1").count() >= 1  # their own group is a link
    assert page.locator("a", has_text="SWG3.2").count() == 0  # a private group is not
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert "/login" in page.url
    page.goto(f"{live_server}/structure")
    assert "/login" in page.url


def test_wrong_password_is_answered_in_the_page(app, live_server, page):
    with app.app_context():
        factories.coalition()
        db.session.commit()
    log_in(page, live_server, "member@example.org", "wrong password")
    assert page.get_by_role("alert").inner_text().startswith("That e-mail and password do not match")
    assert page.get_by_label("Email").input_value() == "member@example.org"


def test_form_without_csrf_token_is_refused(app, live_server, page):
    with app.app_context():
        factories.coalition()
        db.session.commit()
    page.goto(f"{live_server}/login")
    page.evaluate("document.querySelector('main form input[name=csrf_token]').remove()")
    page.get_by_label("Email").fill("member@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "form expired or was not sent from this site" in page.content()
    page.goto(f"{live_server}/")
    assert "/login" in page.url  # not logged in


def test_phone_width_has_no_horizontal_scroll(app, live_server, browser):
    with app.app_context():
        factories.coalition()
        db.session.commit()
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    log_in(page, live_server, "coordinator@example.org", factories.PASSWORD)
    for path in ["/", "/structure", "/participants", "/groups/swg1-1", "/admin/people", "/profile",
                 "/pledge", "/pledge/implementation", "/participants/GHA/pledge", "/admin/audit",
                 "/profile/tokens"]:
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    context.close()
