"""In Chromium: a decision whose text holds a long unbroken word (a long URL, 10,000 "A"s) keeps
the decision's page, the register and the search results within the screen, in English and
Arabic, at 1280 and 390 px; and these pages pass axe."""

import os
from datetime import date

import pytest

from tests import factories
from tests.conftest import NOW
from tests.meetings.helpers import meeting_input
from tests.ux.test_axe import run_axe
from wg.decisions import services as decisions
from wg.extensions import db
from wg.meetings import services as meetings

pytestmark = pytest.mark.slow
SHOTS = os.environ.get("DECISION_SCREENSHOTS", "")
LONG_URL = "https://example.org/" + "precursor-" * 100
WORD = "A" * 8_000


def _login(browser, live_server, email, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(15000)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _fits(page, width):
    """Neither the page nor a table's scrolling box is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    widths = page.evaluate("[...document.querySelectorAll('.table-responsive')]"
                           ".map(e => [e.scrollWidth, e.clientWidth])")
    assert all(scroll <= client + 1 for scroll, client in widths), (page.url, widths)


def test_long_words_wrap_everywhere(ctx, live_server, browser):
    world = factories.coalition()
    chair = world["people"]["chair"]
    group = world["groups"]["SWG1.1"]
    found = decisions.record_decision(group, chair, decisions.DecisionInput(
        text=f"Precursor list: see {LONG_URL} and {WORD}", decided_on=date(2026, 3, 1)), NOW)
    meeting = meetings.add_extra_meeting(group, chair, meeting_input(day=date(2026, 3, 2)), NOW)
    meetings.add_decision(meeting, chair, "Share the precursor seizure data monthly.", NOW)
    long_action = factories.action(group, title="Precursor " + "B" * 190)
    long_action.description = f"See {LONG_URL}"
    db.session.commit()
    urls = ["/actions/", f"/actions/{long_action.id}", f"/decisions/{found.id}", "/decisions/",
            "/search?q=precursor", "/decisions/new",
            "/decisions/?from=2026-03-01&to=2026-02-01", "/decisions/?page=99",
            "/search?q=precursor&page=999", "/search?q=SWG1.1-2026/1"]
    for language in ("en", "ar"):
        chair.language = language
        db.session.commit()
        for width in (1280, 390):
            page = _login(browser, live_server, chair.email, width)
            for url in urls:
                page.goto(live_server + url)
                _fits(page, width)
                if url == f"/decisions/{found.id}":
                    # The group's English title and its code read left to right, as one line,
                    # on Arabic pages too (no "…and their · SWG1.1 precursors").
                    assert page.eval_on_selector(
                        "[data-group-line]", "e => getComputedStyle(e).direction") == "ltr"
                    assert page.eval_on_selector(
                        ".minutes", "e => getComputedStyle(e).direction") == "ltr"
                if url == "/decisions/":  # (the first page)
                    # The minutes of each decision's meeting are a click away at every width.
                    links = page.locator('tr[data-decision] a[href$="#minutes"]:visible')
                    assert links.count() == 1, (language, width)
                assert run_axe(page) == [], (url, language, width)
                if SHOTS:
                    name = "".join(ch if ch.isalnum() else "-" for ch in url.strip("/"))
                    page.screenshot(path=os.path.join(SHOTS, f"{name}-{language}-{width}.png"),
                                    full_page=True)
                    page.screenshot(path=os.path.join(SHOTS, f"{name}-{language}-{width}-top.png"))
            page.context.close()
