"""More than one machine, proven on loopback: two gunicorn nodes on two ports against one
PostgreSQL, Redis for the login throttling counters, two schedulers and a real SMTP server.

It runs once, in the SQLite pass of the suite (tests/conftest.py does not collect it in the
PostgreSQL pass), on its own PostgreSQL database that it creates and drops.

Bounded to a minute on the 2-core machine: the schema and the tiny demo are made in-process
(no extra interpreters; fast test password hashes, so the logins are cheap), the web nodes boot
while the demo is generated, the schedulers start with the nodes and deliver every second
(OUTBOX_DELIVERY_SECONDS=1), readiness is polled every 50 ms.
"""

import os
import random
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from bench.run import Client  # a logged-in loopback HTTP client (cookies, CSRF)
from tests.smtp import free_port, smtp_server  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("TWO_NODE_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("TWO_NODE_REDIS", "redis://127.0.0.1:6379")

pytestmark = pytest.mark.slow


@pytest.fixture()
def pg_database():
    name = f"wt_twonode_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://{PG.split('://', 1)[1]}/{name}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_healthy(base, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{base} did not answer /healthz")


def _new_swg11_actions(n):
    """`n` open SWG1.1 actions added by the demo chair through the service, committed."""
    from datetime import UTC, datetime, timedelta

    from wg.actions import services as actions
    from wg.auth.services import find_group, find_person_by_email
    from wg.extensions import db

    group, chair = find_group("SWG1.1"), find_person_by_email("chair@example.org")
    now = datetime.now(UTC)
    made = [actions.create_action(group, chair, actions.ActionInput(
        title=f"Two-node writer action {i}", owner_id=None, participant_ids=[],
        due_date=(now + timedelta(days=365)).date(), weight=1), now) for i in range(n)]
    db.session.commit()
    return [a.id for a in made]


def test_two_nodes_share_sessions_throttling_rollups_and_mail(pg_database, smtp_server):  # noqa: F811
    env = dict(os.environ, DATABASE_URL=pg_database, SECRET_KEY="two-node-" + secrets.token_hex(8),
               RATELIMIT_STORAGE_URI=f"{REDIS}/{random.randint(1, 15)}", RATELIMIT_ENABLED="1",
               RATELIMIT_KEY_PREFIX=f"two-node-{secrets.token_hex(4)}",  # runs side by side
               SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_STARTTLS="0",
               BASE_URL="http://127.0.0.1", PYTHONPATH=str(ROOT))
    env.pop("TEST_DATABASE_URL", None)
    from flask_migrate import upgrade

    from bench.scenarios import swg11_open_actions
    from wg import create_app
    from wg.config import TestConfig
    from wg.extensions import db

    started = time.monotonic()
    app = create_app(TestConfig(pg_database))
    with app.app_context():
        upgrade()
        db.engine.dispose()

    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    procs, bases = [], []
    try:
        for _ in range(2):  # they boot while the demo is made below
            port = free_port()
            procs.append(subprocess.Popen(
                [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level",
                 "warning", "wsgi:app"], cwd=ROOT, env=env))
            bases.append(f"http://127.0.0.1:{port}")
        demo = app.test_cli_runner().invoke(args=["wg", "demo", "--scale", "0.01", "--no-logins"])
        assert demo.exit_code == 0, demo.output
        with app.app_context():
            # The demo's few SWG1.1 actions are random and dated from today, so how many are
            # still open varies by day: the writers get eight new ones made through the service.
            action_ids = _new_swg11_actions(8)
            assert swg11_open_actions(db.session, 8) == sorted(action_ids, reverse=True)
            db.engine.dispose()
        # Two schedulers from now on, each sending queued mail every second.
        schedulers = []
        for _ in range(2):
            schedulers.append(subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "wg",
                                           "scheduler"], cwd=ROOT,
                                          env=dict(env, OUTBOX_DELIVERY_SECONDS="1")))
        procs.extend(schedulers)
        deadline = time.monotonic() + 60
        for base in bases:
            _wait_healthy(base, deadline)
        print(f"\nnodes up after {time.monotonic() - started:.1f} s")
        a, b = bases

        # A session made on node A works on node B (same SECRET_KEY, signed cookies).
        client = Client(a)
        client.login("member@example.org")
        client.base = b
        status, _, html = client.request("/actions/mine")
        assert status == 200 and 'name="password"' not in html  # not sent back to the login

        # Failed logins count across both nodes (Redis): 5 a minute per address and account.
        target = "lead@example.org"
        answers = []
        for i in range(6):
            c = Client(bases[i % 2])
            _, _, page = c.request("/login")
            status, _, _ = c.request("/login", {"csrf_token": c.token(page), "email": target,
                                                "password": "wrong password"})
            answers.append(status)
        assert answers[:5] == [200] * 5 and answers[5] == 429, answers

        # Mail queued on both nodes (password reset links), then two schedulers deliver it.
        for i, email in enumerate(["coordinator@example.org", "chair@example.org",
                                   "member@example.org"]):
            c = Client(bases[i % 2])
            _, _, page = c.request("/forgot-password")
            status, _, _ = c.request("/forgot-password", {"csrf_token": c.token(page),
                                                          "email": email})
            assert status in (200, 302)

        # 8 writers over both nodes, each on its own action of SWG1.1, five entries each.
        errors, writes = [], 5

        def writer(i, action_id):
            c = Client(bases[i % 2])
            c.login("chair@example.org")
            _, _, page = c.request(f"/actions/{action_id}")
            import re

            version = int(re.search(r'name="version"[^>]*value="(\d+)"', page).group(1))
            for n in range(writes):
                c.base = bases[(i + n) % 2]
                status, _, _ = c.request(f"/actions/{action_id}/progress", {
                    "csrf_token": c.token(page), "version": str(version + n),
                    "status": "in_progress", "progress": str(10 + n), "note": f"writer {i}"})
                if status != 302:
                    errors.append((action_id, n, status))

        threads = [threading.Thread(target=writer, args=(i, aid))
                   for i, aid in enumerate(action_ids)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        with psycopg.connect(pg_database.replace("+psycopg", "")) as conn:
            logged = dict(conn.execute(
                "SELECT action_id, count(*) FROM progress_logs WHERE note LIKE 'writer %%' "
                "GROUP BY action_id").fetchall())
            progress = dict(conn.execute(
                "SELECT id, progress FROM action_items WHERE id = ANY(%s)",
                (action_ids,)).fetchall())
        assert logged == {aid: writes for aid in action_ids}
        assert set(progress.values()) == {10 + writes - 1}
        check = app.test_cli_runner().invoke(args=["wg", "check-rollups"])
        with app.app_context():
            db.engine.dispose()
        assert check.exit_code == 0 and "rollups match" in check.output, check.output
        print(f"writers done after {time.monotonic() - started:.1f} s")

        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            with psycopg.connect(pg_database.replace("+psycopg", "")) as conn:
                left = conn.execute("SELECT count(*) FROM outbox_messages WHERE state = 'queued'"
                                    ).fetchone()[0]
                sent = [r[0] for r in conn.execute(
                    "SELECT key FROM outbox_messages WHERE state = 'sent'").fetchall()]
            if left == 0 and len(smtp_server.keys()) >= len(sent) >= 3:
                break
            time.sleep(0.2)
        time.sleep(2)  # a double send would arrive now (both schedulers run every second)
        # The schedulers keep queueing the demo's own mail (meeting reminders, digests, as the
        # date has it): stop them before comparing, so nothing is sent between the two reads.
        for proc in schedulers:
            proc.terminate()
        for proc in schedulers:
            proc.wait(timeout=30)
        with psycopg.connect(pg_database.replace("+psycopg", "")) as conn:
            sent = [r[0] for r in conn.execute(
                "SELECT key FROM outbox_messages WHERE state = 'sent'").fetchall()]
        keys = smtp_server.keys()
        assert len([k for k in sent if k.startswith("password-reset:")]) == 3
        assert len(keys) == len(set(keys)), "a message arrived twice"
        assert sorted(keys) == sorted(sent), "every message arrives once"
        print(f"mail checked after {time.monotonic() - started:.1f} s")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
