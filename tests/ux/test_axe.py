"""Accessibility in real Chromium: axe-core finds nothing on any page, for any role, at any width.

axe-core comes from a package (axe-playwright-python bundles a pinned axe.min.js; no CDN). The
crawl starts where each role starts (anonymous: the login and forgot-password pages; the demo's
member, chair, lead and coordinator: the home page, the chair's own sub-group too) and follows
same-origin GET links two clicks deep, at most two URLs per route (/actions/12 and /actions/57
are one route), at desktop width (1280 px). The phone pass (390 px) checks one URL per route
across all roles. Forms are also checked in their error state (submitted with bad input): there
the error summary at the top has the focus and links to each field, and each invalid field is
aria-invalid and described by its message. Every violation of any impact fails the test, listed
with its rule, impact, target selectors and page. Besides axe's default rules, the experimental
label-content-name-mismatch runs too (a control's visible text is part of its accessible name).

The progress form on an action's page is reached in at most four Tab presses from page load.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

pytestmark = [pytest.mark.slow, pytest.mark.once]

DEMO_PASSWORD = "coalition-demo"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLES = {
    "chair": ("chair@example.org", ["/groups/swg1-1", "/"]),
    "coordinator": ("coordinator@example.org", ["/"]),
    "lead": ("lead@example.org", ["/"]),
    "member": ("member@example.org", ["/"]),
}
ANONYMOUS_STARTS = ["/login", "/forgot-password"]
DEPTH = 2
# Routes whose page changes with the person's role: each role checks one of these.
BY_ROLE = {"core.home", "actions.mine", "actions.index", "actions.detail", "meetings.detail",
           "groups.detail", "auth.profile", "meetings.group_list", "rollups.dashboard"}
PER_ROUTE = 2  # URLs per route and role at desktop width
MAX_PAGES = 45  # per role
SKIP = re.compile(r"/logout|\.csv\b|\.ics\b|/feed|/api/|/static/|/language\b|/healthz|"
                  r"/login/sso|[?&](format|download)=|/set-password/|mailto:|tel:")


def _axe_script():
    from pathlib import Path

    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


AXE = None


def run_axe(page):
    """axe-core's violations on the page as it is now: [(rule, impact, [targets], help)]."""
    global AXE
    AXE = AXE or _axe_script()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations'], rules: {"
                           "'label-content-name-mismatch': {enabled: true}}})")
    return [(v["id"], v["impact"], [_where(v["id"], n) for n in v["nodes"]], v["help"])
            for v in result["violations"]]


def _where(rule, node):
    """A node's selector, with the colours for a contrast failure."""
    target = ", ".join(str(t) for t in node["target"])
    checks = node.get("any") or []
    if rule == "color-contrast" and checks:
        data = checks[0].get("data") or {}
        target += (f"  ({data.get('fgColor')} on {data.get('bgColor')}: "
                   f"{data.get('contrastRatio')}, needs {data.get('expectedContrastRatio')})")
    return target


@pytest.fixture(autouse=True)
def _clean_tables():
    """The tests share one demo coalition for the module (demo_site empties the tables after)."""
    yield


@pytest.fixture(scope="module")
def demo_site(app, live_server):
    from sqlalchemy import update

    from tests.conftest import empty_tables
    from wg.auth.models import Person
    from wg.extensions import db

    result = app.test_cli_runner().invoke(args=["wg", "demo", "--scale", "0.02"])
    assert result.exit_code == 0, result.output
    with app.app_context():  # the demo's people read other languages: English here
        db.session.execute(update(Person).values(language="en"))
        db.session.commit()
    yield live_server
    with app.app_context():
        empty_tables()


def _route(app, url):
    """The endpoint that serves `url` ("actions.detail"), or the path when none does."""
    parts = urlsplit(url)
    try:
        return app.url_map.bind("localhost").match(parts.path, method="GET")[0]
    except HTTPException:
        return parts.path


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("main input[name=email]", email)
    page.fill("main input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert "/login" not in page.url, f"{email} could not log in"


def _links(page, base):
    origin = urlsplit(base).netloc
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.filter(a => !a.hasAttribute('download')).map(a => a.href)")
    return [h.split("#")[0] for h in hrefs if urlsplit(h).netloc == origin and not SKIP.search(h)]


def _violations(page, url, where, problems, counts):
    for rule, impact, targets, help_text in run_axe(page):
        counts[rule] = counts.get(rule, 0) + len(targets)
        problems.append(f"{where} {url}\n    {rule} ({impact}): {help_text}\n      "
                        + "\n      ".join(targets[:8])
                        + (f"\n      ... and {len(targets) - 8} more" if len(targets) > 8 else ""))


def _crawl_and_check(app, page, base, who, starts, checked, problems, counts):
    """Breadth first from `starts`, DEPTH clicks deep; axe checks each page reached, at most
    PER_ROUTE URLs per route for the first role that reaches the route; the roles after check
    one more of the routes in BY_ROLE only (a chair's meeting page has forms a member's lacks).
    Returns the URLs checked."""
    seen, mine, found = set(), {}, []
    queue = deque((urljoin(base, s), 0) for s in starts)
    while queue and len(found) < MAX_PAGES:
        url, depth = queue.popleft()
        route = _route(app, url)
        done, others = mine.get(route, 0), checked.get(route, 0) - mine.get(route, 0)
        wanted = done < PER_ROUTE and (others == 0 or (route in BY_ROLE and done == 0))
        if url in seen or not wanted:
            continue
        seen.add(url)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200 or (
                urlsplit(page.url).path == "/login" and who != "anonymous"):
            continue
        mine[route] = mine.get(route, 0) + 1
        checked[route] = checked.get(route, 0) + 1
        found.append(url)
        _violations(page, url.removeprefix(base), f"[{who}, 1280 px]", problems, counts)
        if depth < DEPTH:
            queue.extend((link, depth + 1) for link in _links(page, base) if link not in seen)
    return found


def _report(problems, counts, checked):
    summary = ", ".join(f"{rule}: {n}" for rule, n in sorted(counts.items()))
    print(f"axe: {checked} page checks; violations by rule: {summary or 'none'}")
    if problems:
        pytest.fail(f"axe-core found violations ({summary}):\n" + "\n".join(problems),
                    pytrace=False)


@pytest.fixture(scope="module")
def sessions(browser, demo_site):
    """One browser context per role (anonymous too), logged in once, kept for the module."""
    made = {}

    def get(role):
        if role not in made:
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            page.set_default_timeout(15000)
            if role != "anonymous":
                _log_in(page, demo_site, ROLES[role][0])
            made[role] = page
        return made[role]

    yield get
    for page in made.values():
        page.context.close()


@pytest.fixture(scope="module")
def desktop_crawl(app, demo_site, sessions):
    """Every role's pages checked at 1280 px: ({role: [urls]}, problems, counts)."""
    problems, counts, checked = [], {}, {}
    found = {"anonymous": _crawl_and_check(app, sessions("anonymous"), demo_site, "anonymous",
                                           ANONYMOUS_STARTS, checked, problems, counts)}
    for role, (_, starts) in ROLES.items():
        found[role] = _crawl_and_check(app, sessions(role), demo_site, role, starts, checked,
                                       problems, counts)
    return found, problems, counts


def test_every_page_at_desktop_width_has_no_axe_violation(desktop_crawl):
    found, problems, counts = desktop_crawl
    for role, urls in found.items():
        assert len(urls) >= (2 if role == "anonymous" else 4), f"{role} reached only {urls}"
    _report(problems, counts, sum(len(urls) for urls in found.values()))


def test_every_route_at_phone_width_has_no_axe_violation(app, demo_site, desktop_crawl, sessions):
    found, _, _ = desktop_crawl
    problems, counts, routes = [], {}, set()
    for role, urls in found.items():
        page = sessions(role)
        page.set_viewport_size(PHONE)
        for url in urls:
            route = _route(app, url)
            if route in routes:
                continue
            routes.add(route)
            response = page.goto(url, wait_until="load")
            assert response.status == 200, url
            _violations(page, url.removeprefix(demo_site), f"[{role}, 390 px]", problems, counts)
        page.set_viewport_size(DESKTOP)
    assert len(routes) >= 30, sorted(routes)
    _report(problems, counts, len(routes))


# Forms sent back with errors: (role, page, how to fill it in, which submit button).
FAILED_FORMS = {
    "new action, nothing filled in": ("chair", "/actions/new/swg1-1", {"#title": ""}, None),
    "progress above 100": ("chair", "progress", {"#progress": "150"}, None),
    "password, wrong current password": (
        "member", "/profile", {"#pw-current_password": "wrong", "#pw-password": "x", "#pw-confirm": "y"},
        "main input[type=submit][value='Change password']"),
    "new series, nothing filled in": ("chair", "/groups/swg1-1/series/new", {"#title": ""},
                                      "#preview"),
    "new meeting, nothing filled in": ("chair", "/groups/swg1-1/meetings/new", {"#title": ""},
                                       None),
    "forgot password, no address": ("anonymous", "/forgot-password", {"#email": ""}, None),
    "signature without its date": ("coordinator", "/pledge", {"#signed_on": ""},
                                   "form[action$=\"#record\"] [type=submit]"),
}

SUMMARY_STATE = """() => {
  const summary = document.getElementById('error-summary');
  if (!summary) return null;
  const links = [...summary.querySelectorAll('a[href^="#"]')].map(a => {
    const target = document.getElementById(a.getAttribute('href').slice(1));
    return {href: a.getAttribute('href'), found: !!target,
            invalid: target ? target.getAttribute('aria-invalid') : null,
            described: target ? (target.getAttribute('aria-describedby') || '').split(/\\s+/)
              .filter(id => id).map(id => (document.getElementById(id) || {}).textContent || null) : []};
  });
  return {focused: document.activeElement === summary, role: summary.getAttribute('role'),
          heading: summary.querySelector('h2') && summary.querySelector('h2').textContent.trim(),
          links, invalid: document.querySelectorAll('[aria-invalid=true]').length};
}"""


def _submit_failing(page, base, path, fill, button):
    if path == "progress":
        path = _action_with_progress_form(page, base)
    page.goto(base + path)
    for selector, value in fill.items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.click(button or "main form[method=post]:not(.d-inline) [type=submit]")
    return path


def _action_with_progress_form(page, base):
    page.goto(f"{base}/actions/mine?all=1")
    for href in page.eval_on_selector_all("main a[href^='/actions/']",
                                          "els => els.map(a => a.getAttribute('href'))"):
        if re.fullmatch(r"/actions/\d+", href):
            page.goto(base + href)
            if page.locator("#progress").count():
                return href
    pytest.fail("no action with a progress form for the chair")


@pytest.mark.parametrize("name", list(FAILED_FORMS))
def test_a_failed_form_has_a_summary_and_no_axe_violation(name, demo_site, sessions):
    role, path, fill, button = FAILED_FORMS[name]
    page = sessions(role)
    problems, counts = [], {}
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        url = _submit_failing(page, demo_site, path, fill, button)
        state = page.evaluate(SUMMARY_STATE)
        assert state, f"{name}: no error summary on {page.url}"
        assert state["focused"], (f"{name}: the error summary does not have the focus, "
                                  + page.evaluate("document.activeElement.outerHTML.slice(0, 200)"))
        assert state["role"] == "alert" and state["heading"] == "There is a problem", state
        assert state["links"], f"{name}: the summary links to no field: {state}"
        for link in state["links"]:
            assert link["found"], f"{name}: the summary links to {link['href']}, not on the page"
            assert link["invalid"] == "true", f"{name}: {link['href']} is not aria-invalid"
            assert any(link["described"]), f"{name}: {link['href']} is described by no message"
        _violations(page, url, f"[{name}, {viewport['width']} px]", problems, counts)
    page.set_viewport_size(DESKTOP)
    _report(problems, counts, 2)


def test_the_progress_form_is_a_few_key_presses_away(demo_site, sessions):
    """From the action's page load: Tab to the skip link, Enter, and the status field has focus."""
    page = sessions("chair")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        href = _action_with_progress_form(page, demo_site)
        page.goto(demo_site + href)
        presses = 0
        while page.evaluate("document.activeElement.id") != "status" and presses < 10:
            link = page.evaluate("document.activeElement.getAttribute('href')")
            key = "Enter" if link == "#status" else "Tab"
            page.keyboard.press(key)
            presses += 1
        assert page.evaluate("document.activeElement.id") == "status", (
            f"the progress form's first field not reached in {presses} key presses")
        assert presses <= 4, f"{presses} key presses to the progress form"
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
        assert ring == "2px", f"focus ring {ring}"
    page.set_viewport_size(DESKTOP)


def test_skip_link_and_navbar_focus_are_visible(demo_site, sessions):
    """The skip link shows when focused; the navbar's links get a 2 px white ring on dark blue."""
    page = sessions("member")
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")
    skip = page.evaluate("""() => { const a = document.activeElement, r = a.getBoundingClientRect();
      return {href: a.getAttribute('href'), width: r.width, height: r.height}; }""")
    assert skip["href"] == "#main" and skip["width"] > 50 and skip["height"] > 20, skip
    page.keyboard.press("Tab")  # the app's name
    page.keyboard.press("Tab")  # Home
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
      return [document.activeElement.closest('nav') !== null, s.outlineStyle, s.outlineWidth,
              s.outlineColor]; }""")
    assert ring == [True, "solid", "2px", "rgb(255, 255, 255)"], ring
