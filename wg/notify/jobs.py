"""Scheduled jobs: plain, idempotent functions of `now`, run inside an app context.

Each returns a short summary (a dict) that the scheduler records for coordinators.
"""

from datetime import timedelta

from flask import current_app

from wg.notify import services
from wg.notify.mail import SMTPSettings


def deliver_outbox(now):
    """Send what is due in the outbox (see services.deliver_outbox)."""
    lease = timedelta(seconds=current_app.config.get("OUTBOX_LEASE_SECONDS", 300))
    settings = SMTPSettings.from_config(current_app.config)
    if not settings.host:
        queued = services.outbox_counts()["queued"]
        return {"smtp": "not configured", "queued": queued}
    return services.deliver_outbox(now=now, settings=settings, lease=lease)


def _base_url():
    return current_app.config["BASE_URL"]


def meeting_reminders(now):
    from wg.notify import reminders

    return reminders.queue_meeting_reminders(now, _base_url())


def update_requests(now):
    from wg.notify import reminders

    return reminders.queue_update_requests(now, _base_url())


def overdue_digests(now):
    from wg.notify import reminders

    return reminders.queue_overdue_digests(now, _base_url())


def pre_reads(now):
    from wg.notify import reminders

    return reminders.queue_pre_reads(now, _base_url())


def minutes_nudges(now):
    from wg.notify import reminders

    return reminders.queue_minutes_nudges(now, _base_url())


def materialize_series(now):
    """Keep every meeting series materialized at least 12 months ahead."""
    from wg.meetings.services import extend_all_series

    return {"meetings added": extend_all_series(now)}


def deliver_webhooks(now):
    """Send due webhook deliveries (see wg/webhooks/delivery.py)."""
    from wg.webhooks import delivery

    config = current_app.config
    return delivery.deliver_webhooks(
        now=now, lease=timedelta(seconds=config.get("OUTBOX_LEASE_SECONDS", 300)),
        timeout=float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
        allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")))
