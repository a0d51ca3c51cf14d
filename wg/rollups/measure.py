"""Median time and SQL statement count of the rollup and action pages on a demo database.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 python -m wg.rollups.measure [email]

Run after `flask --app wsgi wg demo --scale N`; it logs in with the demo password through the
test client (no network), so it measures the app, not a web server.
"""

import re
import statistics
import sys
import time

from sqlalchemy import event

from wg import create_app
from wg.data.demo import DEMO_PASSWORD
from wg.extensions import db

PAGES = ["/rollups/", "/rollups/groups/wg1", "/rollups/groups/swg1-1", "/rollups/participants",
         "/actions/?group=wg1", "/actions/mine", "/rollups/export.csv"]


def main(email="coordinator@example.org", repeat=15):
    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                    "csrf_token": token})
    if r.status_code != 302:
        sys.exit(f"could not log in as {email}")
    with app.app_context():
        engine = db.engine
    for path in PAGES:
        statements = []

        def count(*args, statements=statements):
            statements.append(1)

        client.get(path)  # warm up
        event.listen(engine, "before_cursor_execute", count)
        r = client.get(path)
        event.remove(engine, "before_cursor_execute", count)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{path:28} {r.status_code} {len(statements):3d} statements  "
              f"median {statistics.median(times):7.1f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:2])
