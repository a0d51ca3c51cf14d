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
