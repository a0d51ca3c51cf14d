"""First login on a slow mobile link, in real Chromium: how long until a member sees home.

Chrome DevTools' "Slow 3G" profile (400 kbit/s each way, 2 s round trip) on an empty cache:
open /login, log in, wait for the home page's `load` event. Then the repeat visit: the dashboard
with a warm cache. Prints seconds and bytes transferred (compressed, as sent on the wire).

    make bench            (runs this after the page benchmark)
    python -m bench.slow3g [--scale 1]
"""

import argparse
import os
import tempfile
import time

from bench.run import DEMO_PASSWORD, ROOT, generate, serve

SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}


def measure(base, email="member@example.org"):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            sizes = {}
            cdp.on("Network.loadingFinished",
                   lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
            started = time.monotonic()
            page.goto(base + "/login", wait_until="load", timeout=120_000)
            login_page = time.monotonic() - started
            page.fill("#email", email)
            page.fill("#password", DEMO_PASSWORD)
            with page.expect_navigation(wait_until="load", timeout=120_000):
                page.click("main form [type=submit]")
            first = time.monotonic() - started
            first_bytes = sum(sizes.values())
            sizes.clear()
            started = time.monotonic()
            page.goto(base + "/actions/mine", wait_until="load", timeout=120_000)
            repeat = time.monotonic() - started
            repeat_bytes = sum(sizes.values())
        finally:
            browser.close()
    return {"login page shown (s)": round(login_page, 1),
            "first login until home is loaded (s)": round(first, 1),
            "bytes for the first login (login page + home)": first_bytes,
            "repeat visit: My actions (s)": round(repeat, 1),
            "bytes for the repeat visit": repeat_bytes}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1)
    args = parser.parse_args(argv)
    env = dict(os.environ, SECRET_KEY="bench-secret", PYTHONPATH=str(ROOT))
    env.pop("TEST_DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/slow3g.sqlite3"
        generate(url, args.scale, env)
        proc, base = serve(url, dict(env, RATELIMIT_ENABLED="0"), workers=2)
        try:
            figures = measure(base)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"\nSlow 3G (DevTools profile: 400 kbit/s, 2 s RTT), phone 390 px, scale {args.scale:g}:")
    for name, value in figures.items():
        print(f"  {name:<48} {value:,}")
    return figures


if __name__ == "__main__":
    main()
