"""Issue 10 finding 8: pages work in Chromium under the Content-Security-Policy."""

from tests import factories
from tests.browser import log_in
from wg.extensions import db


def test_pages_raise_no_csp_violations(app, live_server, page):
    with app.app_context():
        factories.coalition()
        db.session.commit()
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    log_in(page, live_server, "coordinator@example.org", factories.PASSWORD)
    for path in ("/", "/structure", "/actions/", "/meetings/calendar", "/profile",
                 "/admin/people", "/rollups/"):
        response = page.goto(live_server + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.status < 400, path
    violations = [m for m in messages if "Content Security Policy" in m]
    assert violations == []
    # the profile's "Log out other sessions" button works in the browser
    page.goto(live_server + "/profile")
    page.get_by_role("button", name="Log out other sessions").click()
    page.wait_for_load_state()
    assert "other sessions are logged out" in page.content()
