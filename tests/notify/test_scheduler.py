from datetime import UTC, datetime, timedelta

from wg.extensions import db
from wg.notify import scheduler
from wg.notify.models import JobRun


def _job(func, name="test-job", seconds=60):
    return scheduler.Job(name, func, timedelta(seconds=seconds), "A test job")


def test_run_job_records_success_and_failure(app):
    ok = scheduler.run_job(app, _job(lambda now: {"sent": 2}), now=datetime(2026, 3, 1, tzinfo=UTC))
    assert ok == {"sent": 2}

    def boom(now):
        raise RuntimeError("SMTP exploded")

    assert scheduler.run_job(app, _job(boom)) is None  # never raises
    with app.app_context():
        run = db.session.get(JobRun, "test-job")
        assert run.last_result == "sent: 2" and run.last_success_at is not None
        assert "SMTP exploded" in run.last_error and run.last_error_at > run.last_success_at


def test_overdue_jobs_run_once_at_start_others_wait(app):
    now = datetime.now(UTC)
    with app.app_context():
        db.session.add(JobRun(name="deliver-outbox", last_success_at=now - timedelta(days=3)))
        db.session.commit()
    sched = scheduler.build_scheduler(app)
    job = sched.get_job("deliver-outbox")
    # Three days of missed runs collapse into one run now.
    assert abs((job.next_run_time - now).total_seconds()) < 5
    assert sched._job_defaults["coalesce"] is True and sched._job_defaults["max_instances"] == 1
    with app.app_context():
        db.session.get(JobRun, "deliver-outbox").last_success_at = now - timedelta(seconds=10)
        db.session.commit()
    job = scheduler.build_scheduler(app).get_job("deliver-outbox")
    assert 40 < (job.next_run_time - now).total_seconds() <= 60


def test_every_job_is_listed_once(app):
    names = [j.name for j in scheduler.job_list(app.config)]
    assert len(names) == len(set(names)) and "deliver-outbox" in names
