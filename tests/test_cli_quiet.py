"""`make run` stays readable: the demo and the scheduler's first round say a line or two each,
not one line per queued message, and the demo logins can be left for the end."""

import logging

from sqlalchemy import func, select

from wg.extensions import db
from wg.notify.models import OutboxMessage


def _lines(result):
    return [line for line in result.output.splitlines() if line.strip()]


def test_demo_then_catch_up_print_a_few_lines_however_much_mail_is_queued(app, caplog):
    runner = app.test_cli_runner()
    caplog.set_level(logging.INFO)
    demo = runner.invoke(args=["wg", "demo", "--scale", "0.02", "--no-logins"])
    assert demo.exit_code == 0, demo.output
    lines = _lines(demo)
    assert len(lines) <= 3 and "people" in lines[-1]
    assert "Demo logins" not in demo.output

    caught = runner.invoke(args=["wg", "catch-up"])
    assert caught.exit_code == 0, caught.output
    with app.app_context():
        queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert queued > 20  # reminders, requests, digests: plenty of mail...
    assert _lines(caught) == [
        f"outbox: {queued:,} messages queued by the scheduled jobs (kept in the outbox: no SMTP_HOST)"]
    # ...and nothing per message or per job at INFO in the log either.
    noisy = [r for r in caplog.records if r.levelno >= logging.INFO
             and r.name.startswith("wg.") and ("outbox" in r.getMessage() or "job " in r.getMessage())]
    assert noisy == []
    # A second round finds nothing due: nothing new is queued.
    again = runner.invoke(args=["wg", "catch-up"])
    assert _lines(again)[0].startswith("outbox: 0 messages")


def test_demo_logins_listed_by_default_and_by_their_own_command(app):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["wg", "demo-logins"])
    assert "coordinator@example.org" in listed.output and "coalition-demo" in listed.output


def test_scheduler_logs_a_run_only_when_it_did_something():
    from wg.notify.scheduler import Job, did_something

    reminders = Job("meeting-reminders", None, None, "")
    delivery = Job("deliver-outbox", None, None, "")
    assert not did_something(reminders, {"meetings": 6, "queued": 0})  # looked, sent nothing
    assert did_something(reminders, {"meetings": 6, "queued": 603})
    assert not did_something(delivery, {"smtp": "not configured", "queued": 2364})  # backlog
    assert did_something(delivery, {"sent": 0, "retry": 0, "failed": 1, "skipped": 0})
    assert did_something(Job("materialize-series", None, None, ""), {"meetings added": 12})
    assert not did_something(delivery, None)
