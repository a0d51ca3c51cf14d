"""Delivering queued webhook events: signed JSON POSTs, claimed and retried like mail.

Each delivery is claimed with a lease (wg/notify/leases.py, shared with the mail outbox), sent
with the headers below, and marked sent only after the receiver answered 2xx; any other answer
(redirects included: they are never followed) or no answer is retried after 1, 5, 15, 60 and
240 minutes, and fails after the sixth attempt. A sent delivery is never sent again.

Headers of every request:

    X-WG-Event: action.progress            the event type
    X-WG-Event-Id: 3f2a...                 unique per event; the same for every retry
    X-WG-Timestamp: 1767225600             Unix seconds when this attempt was signed
    X-WG-Signature: sha256=<hex>           HMAC-SHA256(secret, "<timestamp>.<body>")

Receivers check the signature, refuse timestamps more than REPLAY_WINDOW away from their
clock, and keep the event ids they processed (a retry after a lost answer repeats the id).
"""

import hashlib
import hmac
import http.client
import ipaddress
import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

from wg.extensions import db
from wg.notify import leases
from wg.notify.models import OutboxState
from wg.webhooks.models import WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)

REPLAY_WINDOW = timedelta(minutes=5)
USER_AGENT = "wg-webhooks/1"
PAUSED_RECHECK = timedelta(minutes=5)


def signature(secret, timestamp, body):
    """The X-WG-Signature value: HMAC-SHA256 over "<timestamp>.<body>" with the secret."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"." + body,
                   hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret, timestamp, body, header, now_seconds, window=REPLAY_WINDOW):
    """What a receiver does (and our tests): True when the signature matches and the timestamp
    is within the replay window of `now_seconds`."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now_seconds - ts) > window.total_seconds():
        return False
    return hmac.compare_digest(signature(secret, ts, body), header or "")


class DeliveryError(Exception):
    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


def _check_host(host, allow_private):
    """Refuse names that resolve to loopback, private or link-local addresses (unless allowed):
    a subscription must not reach into the coalition's own network."""
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global:
            raise DeliveryError(f"{host} resolves to a non-public address ({ip})")


def post(url, body, headers, timeout, allow_private=False):
    """POST `body` to `url` once, without following redirects; the status code."""
    parts = urlsplit(url)
    _check_host(parts.hostname, allow_private)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection = cls(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", path, body=body.encode("utf-8"), headers=headers)
        response = connection.getresponse()
        response.read(4096)
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    finally:
        connection.close()


def headers_for(delivery, secret, timestamp):
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-WG-Event": delivery.event,
        "X-WG-Event-Id": delivery.event_id,
        "X-WG-Timestamp": str(timestamp),
        "X-WG-Signature": signature(secret, timestamp, delivery.payload),
    }


def deliver_webhooks(*, now, worker=None, batch=100, lease=leases.DEFAULT_LEASE, timeout=10.0,
                     allow_private=False):
    """Send due deliveries; returns counts: sent, retry, failed, skipped, paused."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0, "paused": 0}
    worker = worker or leases.worker_id()
    for delivery_id in leases.due_ids(WebhookDelivery, now, batch):
        if not leases.claim(WebhookDelivery, delivery_id, now, lease, worker):
            counts["skipped"] += 1
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        sub = delivery.subscription
        if not sub.is_active:
            # Paused: the event waits (no attempt is counted) until the subscription resumes.
            leases.finish(WebhookDelivery, delivery_id, worker,
                          next_attempt_at=now + PAUSED_RECHECK)
            counts["paused"] += 1
            db.session.expire_all()
            continue
        from wg.webhooks.services import _still_allowed

        attempts = delivery.attempts + 1
        timestamp = int(now.timestamp())
        started = time.monotonic()
        status_code, error = None, None
        if delivery.event != "ping" and not _still_allowed(sub):
            error, permanent = "the subscriber may no longer receive this group's events", True
        else:
            permanent = False
            try:
                status_code = post(sub.url, delivery.payload, headers_for(delivery, sub.secret,
                                                                          timestamp),
                                   timeout, allow_private)
                if not 200 <= status_code < 300:
                    error = f"answered {status_code}" + (
                        " (redirects are not followed)" if 300 <= status_code < 400 else "")
            except DeliveryError as exc:
                error = str(exc)
        duration = int((time.monotonic() - started) * 1000)
        db.session.add(WebhookAttempt(delivery_id=delivery_id, attempted_at=now,
                                      status_code=status_code,
                                      error=error[:500] if error else None,
                                      duration_ms=duration))
        if error is None:
            leases.finish(WebhookDelivery, delivery_id, worker, state=OutboxState.sent,
                          attempts=attempts, delivered_at=now, last_status_code=status_code,
                          last_error=None)
            counts["sent"] += 1
        else:
            values = leases.after_failure(attempts, now, permanent=permanent)
            leases.finish(WebhookDelivery, delivery_id, worker, last_status_code=status_code,
                          last_error=error[:2000], **values)
            counts["failed" if values.get("state") is OutboxState.failed else "retry"] += 1
            log.info("webhooks: delivery %s attempt %s: %s", delivery_id, attempts, error)
        db.session.expire_all()
    return counts
