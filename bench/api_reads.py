"""Timings of the API's main reads on a generated data set, served by gunicorn (2 workers).

    python -m bench.api_reads [--scale 10] [--requests 40]

A fresh SQLite file (scale 10 ≈ 16,000 people, 100,000 actions, ~900,000 progress logs),
tokens for the coordinator and the WG1 lead, then sequential GETs over loopback: median, p95
and SQL statements per request. Prints a Markdown table.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench.run import PYTHON, ROOT, generate, serve

TOKENS = """
from wg import create_app
from wg.api import tokens
from wg.auth.services import find_person_by_email
from wg.db_types import utcnow
from wg.extensions import db
from wg.actions.models import ActionItem
from wg.meetings.models import Meeting
from wg.groups.models import Group
import json
app = create_app()
with app.app_context():
    out = {}
    for role, email in (("coordinator", "coordinator@example.org"), ("lead", "lead@example.org")):
        person = find_person_by_email(email)
        out[role] = tokens.create_token(person, person, "bench", "read", None, utcnow())[1]
    swg = db.session.query(Group).filter_by(code="SWG1.1").one()
    out["action"] = db.session.query(ActionItem.id).filter_by(group_id=swg.id).order_by(
        ActionItem.id).first()[0]
    out["meeting"] = db.session.query(Meeting.id).filter_by(group_id=swg.id).order_by(
        Meeting.start_at.desc()).first()[0]
    db.session.commit()
    print(json.dumps(out))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wg-api-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", PYTHONPATH=str(ROOT))
        took, summary = generate(url, args.scale, env)
        print(f"data (scale {args.scale:g}): {summary}; generated in {took:.0f} s", flush=True)
        made = subprocess.run([PYTHON, "-c", TOKENS], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True)
        ids = json.loads(made.stdout.strip().splitlines()[-1])
        proc, base = serve(url, dict(env, API_RATE_LIMIT="1000000 per minute"))
        try:
            reads = [
                ("coordinator", "/api/v1/groups"),
                ("coordinator", "/api/v1/participants?limit=200"),
                ("coordinator", "/api/v1/actions?group=swg1-1&limit=50"),
                ("coordinator", "/api/v1/actions?limit=500"),
                ("coordinator", "/api/v1/actions?updated_since=2026-01-01T00:00:00%2B00:00"
                                "&limit=100"),
                ("coordinator", f"/api/v1/actions/{ids['action']}"),
                ("coordinator", "/api/v1/groups/swg1-1/meetings?limit=50"),
                ("coordinator", f"/api/v1/meetings/{ids['meeting']}"),
                ("coordinator", "/api/v1/rollups"),
                ("lead", "/api/v1/rollups/groups/wg1"),
                ("lead", "/api/v1/rollups/participants/MEX"),
                ("coordinator", f"/api/v1/history/action/{ids['action']}"),
            ]
            print("| read | median ms | p95 ms | SQL statements | HTTP |")
            print("|---|---:|---:|---:|---|")
            for role, path in reads:
                times, count, status = [], "?", None
                for i in range(args.requests + 3):
                    req = urllib.request.Request(base + path, headers={
                        "Authorization": f"Bearer {ids[role]}"})
                    t0 = time.perf_counter()
                    with urllib.request.urlopen(req, timeout=30) as resp:
                        resp.read()
                        status, count = resp.status, resp.headers.get("X-Query-Count", "?")
                    if i >= 3:
                        times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                print(f"| `GET {path.replace('/api/v1', '')}` ({role}) | "
                      f"{statistics.median(times):.1f} | {p95:.1f} | {count} | {status} |",
                      flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
