"""Every scheduled job with its trigger, in one place, and the process that runs them.

Jobs are coalesced: after downtime each job runs once, not once per missed interval. Several
scheduler processes may run at once: jobs are idempotent and deliveries are claimed.
"""

import logging
import signal
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from wg.extensions import db
from wg.notify import jobs
from wg.notify.models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: callable
    interval: timedelta
    description: object  # a lazy string, translated where it is shown (admin jobs page)


def job_list(config):
    """The jobs and how often each runs; intervals can be shortened in config (tests, demos)."""
    delivery = timedelta(seconds=int(config.get("OUTBOX_DELIVERY_SECONDS", 60)))
    minutes = timedelta(minutes=int(config.get("REMINDER_JOB_MINUTES", 5)))
    return [
        Job("materialize-series", jobs.materialize_series, timedelta(hours=6),
            _l("Keep meeting series materialized 12 months ahead")),
        Job("meeting-reminders", jobs.meeting_reminders, minutes,
            _l("Meeting reminders at each member's lead times, with the .ics")),
        Job("update-requests", jobs.update_requests, timedelta(hours=1),
            _l("Ask action owners for progress a few days before their group's meeting")),
        Job("pre-reads", jobs.pre_reads, timedelta(hours=1),
            _l("Pre-read two days before each meeting")),
        Job("minutes-nudges", jobs.minutes_nudges, timedelta(hours=6),
            _l("Remind chairs of minutes unpublished three days after a meeting")),
        Job("overdue-digests", jobs.overdue_digests, timedelta(hours=12),
            _l("Weekly digest of overdue actions to owners and chairs")),
        Job("deliver-outbox", jobs.deliver_outbox, delivery,
            _l("Send queued e-mail, with retries and backoff")),
        Job("deliver-webhooks", jobs.deliver_webhooks, delivery,
            _l("Send queued webhook events, signed, with the same retries")),
    ]


def _record(name, **values):
    """Upsert the job's run record; two schedulers may race on the first insert."""
    for _ in range(2):
        row = db.session.get(JobRun, name)
        if row is None:
            row = JobRun(name=name)
            db.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()


# Figures that say what a job looked at, not what it did: "meetings: 6, queued: 0" every five
# minutes is noise. A delivery job's "queued" is the outbox's backlog, not mail it queued.
_CONTEXT_KEYS = {"meetings", "people", "smtp", "skipped"}


def did_something(job, result):
    """Whether a run changed anything worth a line in the log (mail queued or sent, meetings
    added, failures): a quiet run logs at debug level only."""
    if not result:
        return False
    ignored = _CONTEXT_KEYS | ({"queued"} if job.name.startswith("deliver-") else set())
    return any(v for k, v in result.items() if k not in ignored)


def run_job(app, job, now=None, quiet=False):
    """Run one job in an app context and record how it went; never raises. `quiet` logs the
    summary at debug level (the caller reports it in a line of its own)."""
    with app.app_context():
        started = now or datetime.now(UTC)
        t0 = time.monotonic()
        try:
            _record(job.name, last_started_at=started)
            result = job.func(started)
            db.session.commit()
        except Exception as exc:  # a job must never stop the scheduler
            db.session.rollback()
            log.error("job %s failed: %s", job.name, traceback.format_exc())
            _record(job.name, last_error_at=datetime.now(UTC), last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    last_duration_ms=int((time.monotonic() - t0) * 1000))
            return None
        summary = ", ".join(f"{k}: {v}" for k, v in (result or {}).items())[:300]
        _record(job.name, last_success_at=datetime.now(UTC), last_result=summary or "done",
                last_duration_ms=int((time.monotonic() - t0) * 1000))
        level = logging.INFO if did_something(job, result) and not quiet else logging.DEBUG
        log.log(level, "job %s: %s", job.name, summary)
        return result


def build_scheduler(app):
    """A BlockingScheduler with every job; overdue jobs (after downtime) start at once, once."""
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    now = datetime.now(UTC)
    with app.app_context():
        last = {r.name: r.last_success_at for r in db.session.query(JobRun)}
    for job in job_list(app.config):
        previous = last.get(job.name)
        first = now if previous is None or previous + job.interval <= now else previous + job.interval
        scheduler.add_job(run_job, IntervalTrigger(seconds=job.interval.total_seconds(), start_date=first),
                          args=[app, job], id=job.name, name=job.name, next_run_time=first)
    return scheduler


def catch_up(app, now=None):
    """Run every job that is due now, once (as the scheduler would on start), quietly.

    Returns (messages queued by the jobs, names of jobs that failed). Delivery jobs count as
    run but their "queued" figure is the outbox's backlog, not new mail, so it is not added.
    """
    now = now or datetime.now(UTC)
    with app.app_context():
        last = {r.name: r.last_success_at for r in db.session.query(JobRun)}
    queued, failed = 0, []
    for job in job_list(app.config):
        previous = last.get(job.name)
        if previous is not None and previous + job.interval > now:
            continue
        result = run_job(app, job, now=now, quiet=True)
        if result is None:
            failed.append(job.name)
        elif not job.name.startswith("deliver-"):
            queued += int(result.get("queued") or 0)
    return queued, failed


def run_forever(app, on_ready=None):
    # One line per job run comes from run_job; APScheduler's own "Running job" lines are noise.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build_scheduler(app)

    def stop(signum, frame):
        log.info("scheduler: stopping (signal %s)", signum)
        if scheduler.running:  # a second signal (Ctrl+C then TERM) finds it stopped
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler: started with %s", ", ".join(j.id for j in scheduler.get_jobs()))
    if on_ready:
        on_ready()
    scheduler.start()
