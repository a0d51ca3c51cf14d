"""Page weight in real Chromium: every page a person reaches from the navigation is light.

Budget (issue "Usable by a busy official on a phone"): at most 150 KB transferred on a first visit
(empty cache: HTML, CSS, icons) and at most 60 KB on a repeat visit (hashed static files come from
the cache without a request). Bytes are what crossed the network (compressed), as Chromium's
DevTools protocol reports them, against demo data.
"""

import re

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.once]

FIRST_VISIT_BUDGET = 150 * 1024
REPEAT_VISIT_BUDGET = 60 * 1024
ROLES = ["member@example.org", "chair@example.org", "lead@example.org", "coordinator@example.org"]


@pytest.fixture()
def demo(app):
    result = app.test_cli_runner().invoke(args=["wg", "demo", "--scale", "0.25"])
    assert result.exit_code == 0, result.output
    return app


def _transferred(context, page, url):
    """Bytes received while loading `url` (every request of the page)."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received = []
    cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
    page.goto(url)
    page.wait_for_load_state("load")
    cdp.detach()
    return sum(received)


def _nav_links(page, base):
    hrefs = page.eval_on_selector_all("nav[aria-label] a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    return sorted({h for h in hrefs if not re.search(r"\.(csv|ics)|/feed|/api/", h)})


@pytest.mark.parametrize("email", ROLES)
def test_every_navigation_page_is_light(demo, live_server, browser, email):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, email, "coalition-demo")
    links = _nav_links(page, live_server)
    assert len(links) >= 4, links
    state = context.storage_state()
    heavy = []
    for href in links:
        fresh = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=state)
        fresh_page = fresh.new_page()
        first = _transferred(fresh, fresh_page, live_server + href)
        repeat = _transferred(fresh, fresh_page, live_server + href)
        fresh.close()
        print(f"{email} {href}: first {first} B, repeat {repeat} B")
        assert first > 1000 and repeat > 200, (href, first, repeat)  # the page really loaded
        if first > FIRST_VISIT_BUDGET or repeat > REPEAT_VISIT_BUDGET:
            heavy.append((href, first, repeat))
    context.close()
    assert heavy == [], f"pages over budget (first, repeat bytes): {heavy}"
