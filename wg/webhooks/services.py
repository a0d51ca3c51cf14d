"""Webhook subscriptions and the events they receive.

`emit(event, data, group_id, now)` is the one entry point the services call when something a
subscriber may want happened: in the caller's transaction it queues one delivery per matching
active subscription, under a unique (subscription, event id) pair, so the event leaves exactly
when the change commits and never twice. The scheduler delivers (wg/webhooks/delivery.py).
"""

import ipaddress
import json
import secrets
import uuid
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from wg.db_types import utcnow
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.notify.models import OutboxState
from wg.webhooks.models import WebhookDelivery, WebhookSubscription

# The events one can subscribe to, with what they mean.
EVENTS = {
    "action.created": _l("An action was created"),
    "action.updated": _l("An action's details were edited"),
    "action.progress": _l("Progress was recorded on an action"),
    "meeting.created": _l("A meeting was scheduled"),
    "meeting.changed": _l("A meeting was moved or edited (agenda, attendance, place...)"),
    "meeting.cancelled": _l("A meeting was cancelled"),
    "minutes.published": _l("A meeting's minutes were published"),
    "decision.recorded": _l("A decision was recorded"),
}
PING = "ping"  # sent on request from the subscription's page; not subscribable
SECRET_PREFIX = "whsec_"
MAX_URL = 2000
FIELDS = ("url", "description", "events", "group_id", "is_active")


def _values(sub):
    return {name: getattr(sub, name) for name in FIELDS}


def _label(sub):
    return f"{sub.description or sub.url}"[:300]


def _record(actor, sub, verb, changes, now):
    history.record(actor, "webhook", sub.id, verb, changes, now=now, label=_label(sub),
                   parent=("person", sub.owner_id), group_id=sub.group_id,
                   version=sub.version)


def check_url(url):
    """The URL, stripped; refused unless it is an absolute http(s) address without
    credentials (ValidationError)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Give the address that will receive the events.")})
    if len(url) > MAX_URL:
        raise ValidationError({"url": _("The address is too long (at most 2,000 characters).")})
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ValidationError({"url": _("This is not a valid address.")}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("The address must start with https:// (or http://).")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Put no user name or password in the address.")})
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ValidationError({"url": _("The address may not contain spaces or control "
                                         "characters.")})
    return url


def is_private_address(host):
    """True when `host` is an IP literal (or localhost) that is not public: loopback,
    private, link-local, reserved. Names are checked again when delivering."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
            ".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not ip.is_global


def _check_events(events):
    events = [e for e in dict.fromkeys(events or []) if e]
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise ValidationError({"events": _("Choose at least one event from the list.")})
    return events


def create_subscription(owner, url, events, group, description, now, *, allow_private=False):
    """A subscription of `owner` (coordinator: any group or all; chair: their group, checked by
    the caller) to `events`; returns (subscription, secret). The secret is shown once."""
    errors = {}
    try:
        url = check_url(url)
        if not allow_private and is_private_address(urlsplit(url).hostname):
            raise ValidationError({"url": _("Private and loopback addresses are not allowed.")})
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        events = _check_events(events)
    except ValidationError as exc:
        errors.update(exc.errors)
    description = (description or "").strip()
    if len(description) > 200:
        errors["description"] = _("Keep the description under 200 characters.")
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    sub = WebhookSubscription(owner_id=owner.id, group_id=group.id if group else None, url=url,
                              description=description, events=" ".join(events), secret=secret,
                              is_active=True, created_at=now, updated_at=now, version=1)
    db.session.add(sub)
    db.session.flush()
    _record(owner, sub, "webhook_created", history.created(_values(sub)), now)
    return sub, secret


def _change(sub, actor, now, expected_version, verb, **values):
    history.check_version("webhook", sub, expected_version)
    before = _values(sub)
    for key, value in values.items():
        setattr(sub, key, value)
    changes = history.diff(before, _values(sub))
    if not changes:
        return sub
    sub.version += 1
    sub.updated_at = now
    db.session.flush()
    _record(actor, sub, verb, changes, now)
    return sub


def set_active(sub, actor, is_active, now, expected_version=None):
    """Pause (nothing is queued or sent while paused; waiting deliveries wait) or resume.
    Pressing the button again (already in that state) records nothing."""
    if sub.is_active == bool(is_active):
        return sub
    return _change(sub, actor, now, expected_version,
                   "webhook_resumed" if is_active else "webhook_paused",
                   is_active=bool(is_active))


def update_subscription(sub, actor, url, events, description, now, expected_version=None, *,
                        allow_private=False):
    """Change the address, events or description (the secret stays)."""
    history.check_version("webhook", sub, expected_version)
    url = check_url(url)
    if not allow_private and is_private_address(urlsplit(url).hostname):
        raise ValidationError({"url": _("Private and loopback addresses are not allowed.")})
    events = _check_events(events)
    description = (description or "").strip()[:200]
    return _change(sub, actor, now, expected_version, "webhook_updated", url=url,
                   events=" ".join(events), description=description)


def delete_subscription(sub, actor, now, expected_version=None):
    """Remove a subscription and its deliveries; its history keeps a 'deleted' entry."""
    history.check_version("webhook", sub, expected_version)
    _record(actor, sub, "webhook_deleted", history.deleted(_values(sub)), now)
    db.session.delete(sub)
    db.session.flush()


def subscriptions_for(person, *, everyone=False):
    """The person's subscriptions (everyone's when `everyone`: coordinators), newest first."""
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.id.desc())
    if not everyone:
        stmt = stmt.where(WebhookSubscription.owner_id == person.id)
    return db.session.scalars(stmt).all()


def deliveries_of(sub, limit=50):
    return db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == sub.id).order_by(WebhookDelivery.id.desc())
        .limit(limit)).all()


# --- events ---------------------------------------------------------------------------------


def _still_allowed(sub):
    """A subscriber who lost the right to see the group (or the account) gets nothing more."""
    from wg import permissions

    owner = sub.owner
    if owner is None or not getattr(owner, "is_active", True):
        return False
    return permissions.can_subscribe_webhooks(owner, sub.group)


def _queue(sub, event, event_id, body, now):
    db.session.add(WebhookDelivery(subscription_id=sub.id, event_id=event_id, event=event,
                                   payload=body, state=OutboxState.queued, attempts=0,
                                   created_at=now, next_attempt_at=now))


def envelope(event, event_id, data, group, now):
    """The JSON body of an event: its id, type, time, group and data."""
    return json.dumps({
        "id": event_id, "type": event, "created_at": now.isoformat(),
        "group": {"id": group.id, "code": group.code, "slug": group.slug} if group else None,
        "data": history.json_value(data),
    }, ensure_ascii=False, sort_keys=True)


def labelled(data, item):
    """The event data about a labelled `item` as it may leave (permissions.may_leave_by
    'webhook'): with its label; for a RED item only its id and label, no title, no content."""
    from wg.permissions import may_leave_by
    from wg.sensitivity import DEFAULT, Sensitivity

    label = Sensitivity.parse(getattr(item, "sensitivity", None)) or DEFAULT
    if not may_leave_by("webhook", item):
        return {"id": item.id, "sensitivity": label.tlp, "redacted": True}
    return dict(data, sensitivity=label.tlp)


def emit(event, data, group_id, now, item=None):
    """Queue `event` (with `data`, a dict of plain values) for every active subscription to it
    that covers the group, in the caller's transaction. Returns the event id (None when nobody
    subscribed). With `item` (a labelled meeting, action or decision) the data goes through
    labelled(): a RED item's event says only its type, id and label."""
    if item is not None:
        data = labelled(data, item)
    subs = db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.is_active.is_(True),
        or_(WebhookSubscription.group_id.is_(None), WebhookSubscription.group_id == group_id),
    )).all()
    subs = [s for s in subs if event in s.event_list and _still_allowed(s)]
    if not subs:
        return None
    from wg.groups.models import Group

    event_id = uuid.uuid4().hex
    body = envelope(event, event_id, data, db.session.get(Group, group_id), now)
    for sub in subs:
        _queue(sub, event, event_id, body, now)
    db.session.flush()
    return event_id


def send_ping(sub, now=None):
    """Queue a test event for this subscription only (delivered by the scheduler)."""
    now = now or utcnow()
    event_id = uuid.uuid4().hex
    _queue(sub, PING, event_id, envelope(PING, event_id, {"subscription_id": sub.id},
                                         sub.group, now), now)
    db.session.flush()
    return event_id


# --- what the services send -----------------------------------------------------------------


def action_data(action):
    return {"id": action.id, "title": action.title, "status": action.status,
            "progress": action.progress, "due_date": action.due_date, "weight": action.weight,
            "owner_id": action.owner_id, "version": action.version,
            "updated_at": action.updated_at}


def meeting_data(meeting):
    return {"id": meeting.id, "title": meeting.title, "start_at": meeting.start_at,
            "duration_minutes": meeting.duration_minutes, "timezone": meeting.timezone,
            "status": meeting.status, "place": meeting.place, "series_id": meeting.series_id,
            "version": meeting.version}


# Meeting history verbs and the event each one is.
MEETING_EVENTS = {"created": "meeting.created", "cancelled": "meeting.cancelled",
                  "minutes_published": "minutes.published", "minutes_edited": None}


def meeting_event(verb):
    """The event a meeting change (its history verb) is; None when it is not one."""
    return MEETING_EVENTS.get(verb, "meeting.changed")
