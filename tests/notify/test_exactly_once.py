"""Real scheduler processes against the real database and a real SMTP server on loopback."""

import collections
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from wg import ROOT
from wg.extensions import db
from wg.notify import services as notify
from wg.notify.models import OutboxMessage, OutboxState

FLASK = [sys.executable, "-m", "flask", "--app", "wsgi", "wg", "scheduler"]


def start_scheduler(database_url, smtp_port, log_path, lease_seconds=300):
    env = dict(os.environ, DATABASE_URL=database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
               SMTP_STARTTLS="0", MAIL_FROM="Tracker <tracker@example.org>", SECRET_KEY="test",
               OUTBOX_DELIVERY_SECONDS="1", OUTBOX_LEASE_SECONDS=str(lease_seconds))
    env.pop("TEST_DATABASE_URL", None)
    log = open(log_path, "w")
    return subprocess.Popen(FLASK, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def stop(*processes):
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def test_two_schedulers_send_each_message_exactly_once(ctx, now, database_url, smtp_server, tmp_path):
    expected = 300
    for i in range(expected):
        notify.enqueue(key=f"once:{i}", kind="test", recipient=f"p{i}@example.org",
                       subject=f"Message {i}", body_text="Hello", now=now)
    db.session.commit()
    a = start_scheduler(database_url, smtp_server.port, tmp_path / "a.log")
    b = start_scheduler(database_url, smtp_server.port, tmp_path / "b.log")
    try:
        wait_for(lambda: len(smtp_server.keys()) >= expected, timeout=90)
        time.sleep(3)  # give a duplicate, if any, the time to arrive
    finally:
        stop(a, b)
    keys = smtp_server.keys()
    duplicates = sum(n - 1 for n in collections.Counter(keys).values() if n > 1)
    print(f"\nexactly-once: expected {expected}, received {len(keys)}, duplicates {duplicates}")
    assert (len(keys), duplicates) == (expected, 0), (tmp_path / "a.log").read_text()[-2000:]
    assert set(keys) == {f"once:{i}" for i in range(expected)}
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.state))) == {OutboxState.sent}
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "Traceback" not in logs


def test_scheduler_killed_mid_delivery_loses_nothing(ctx, now, database_url, smtp_server, tmp_path):
    for i in range(3):
        notify.enqueue(key=f"kill:{i}", kind="test", recipient=f"p{i}@example.org",
                       subject=f"Message {i}", body_text="Hello", now=now)
    db.session.commit()
    smtp_server.hold = {"p1@example.org"}  # the server stalls in the middle of message 1
    a = start_scheduler(database_url, smtp_server.port, tmp_path / "a.log", lease_seconds=3)
    try:
        assert wait_for(smtp_server.held.is_set, timeout=60), (tmp_path / "a.log").read_text()
        a.send_signal(signal.SIGKILL)  # dies holding the claim on message 1
        a.wait(timeout=10)
    finally:
        stop(a)
    smtp_server.hold = set()
    smtp_server.release.set()
    assert smtp_server.keys() == ["kill:0"]
    b = start_scheduler(database_url, smtp_server.port, tmp_path / "b.log", lease_seconds=3)
    try:
        wait_for(lambda: len(smtp_server.keys()) >= 3, timeout=60)
        time.sleep(2)
    finally:
        stop(b)
    assert sorted(smtp_server.keys()) == ["kill:0", "kill:1", "kill:2"]
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.state))) == {OutboxState.sent}
