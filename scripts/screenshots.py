"""Take screenshots of the main pages in headless Chromium (for the README and for review).

Usage: python scripts/screenshots.py BASE_URL OUT_DIR [--phone] [[EMAIL=]PATH ...]
       python scripts/screenshots.py BASE_URL --readme   (refreshes docs/screenshots/)
Logs in as the demo people (run `make run` first, or any server with demo data).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEFAULT_PAGES = [
    ("coordinator@example.org", "/"),
    ("coordinator@example.org", "/structure"),
    ("member@example.org", "/groups/swg1-1"),
    ("coordinator@example.org", "/participants?core=yes"),
    ("coordinator@example.org", "/participants/MEX"),
    ("coordinator@example.org", "/admin/people"),
    ("coordinator@example.org", "/admin/roles"),
    ("coordinator@example.org", "/pledge"),
    ("member@example.org", "/pledge/implementation"),
    ("member@example.org", "/participants/GHA/pledge"),
    ("member@example.org", "/profile"),
    ("member@example.org", "/groups/swg3-2"),
]


README_PAGES = [
    ("lead@example.org", "/rollups/", "dashboard"),
    ("member@example.org", "/actions/mine", "my-actions"),
    ("chair@example.org", "/groups/swg1-1/meetings", "meetings"),
    ("member@example.org", "first-meeting", "meeting"),
    ("member@example.org", "/structure", "structure"),
    ("member@example.org", "/groups/swg1-1", "group"),
    ("coordinator@example.org", "/participants?core=yes", "participants"),
    ("coordinator@example.org", "/admin/people", "people"),
    ("chair@example.org", "/actions/?group=swg1-1", "actions"),
    ("chair@example.org", "/actions/?group=swg1-1", "actions-phone"),
    ("member@example.org", "/actions/mine", "my-actions-phone"),
    ("coordinator@example.org", "/participants", "participants-phone"),
    ("chair@example.org", "error:/actions/new/swg1-1", "error-summary"),
    ("chair@example.org", "error:/actions/new/swg1-1", "error-summary-phone"),
    ("member@example.org", "menu:/", "menu-phone"),
    ("coordinator@example.org", "/pledge", "pledge"),
    ("coordinator@example.org", "/pledge", "pledge-phone"),
    ("member@example.org", "/pledge/implementation", "pledge-implementation"),
    ("lead@example.org", "/initiatives", "initiatives"),
    ("lead@example.org", "/decisions", "decisions-phone"),
]


def readme(base):
    out = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for email, path, name in README_PAGES:
            phone = name.endswith("-phone")
            ctx = browser.new_context(viewport={"width": 390, "height": 844} if phone
                                      else {"width": 1280, "height": 800})
            pg = ctx.new_page()
            pg.goto(f"{base}/login")
            pg.get_by_label("Email").fill(email)
            pg.get_by_label("Password").fill("coalition-demo")
            pg.get_by_role("button", name="Log in").click()
            pg.wait_for_load_state()
            if path == "first-meeting":  # the next meeting of SWG1.1
                pg.goto(f"{base}/groups/swg1-1/meetings")
                hrefs = pg.eval_on_selector_all("a[href^='/meetings/']", "els => els.map(e => e.getAttribute('href'))")
                path = next(h for h in hrefs if h.rsplit("/", 1)[1].isdigit())
            action, _, path = path.rpartition(":")
            pg.goto(f"{base}{path}")
            if action == "error":  # the form sent back empty: the error summary
                pg.click("main form[method=post] [type=submit]")
                pg.wait_for_load_state()
            elif action == "menu":  # the folded navigation, opened
                pg.click("details.app-menu > summary")
            pg.screenshot(path=str(out / f"{name}.png"), full_page=action == "error")
            ctx.close()
        browser.close()


def main():
    if "--readme" in sys.argv:
        return readme(sys.argv[1].rstrip("/"))
    base, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    phone = "--phone" in sys.argv
    extra = [a for a in sys.argv[3:] if a != "--phone"]
    pages = [(e, p) for e, p in DEFAULT_PAGES] if not extra else [
        (a.split("=", 1)[0], a.split("=", 1)[1]) if "=" in a else ("coordinator@example.org", a)
        for a in extra]
    out.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        contexts = {}
        shot = 0
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.screenshot(path=str(out / f"00-login{'-phone' if phone else ''}.png"))
        page.close()
        for email, path in pages:
            if email not in contexts:
                ctx = browser.new_context(viewport=viewport)
                pg = ctx.new_page()
                pg.goto(f"{base}/login")
                pg.get_by_label("Email").fill(email)
                pg.get_by_label("Password").fill("coalition-demo")
                pg.get_by_role("button", name="Log in").click()
                pg.wait_for_load_state()
                contexts[email] = pg
            pg = contexts[email]
            pg.goto(f"{base}{path}")
            shot += 1
            name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
            target = out / f"{shot:02d}-{name}{'-phone' if phone else ''}.png"
            pg.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
