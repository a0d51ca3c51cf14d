"""Webhook events: queued with the change, signed, delivered once through an outage."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests import factories
from tests.meetings.helpers import meeting_input
from tests.webhooks.receiver import Receiver
from wg.actions import services as actions
from wg.extensions import db
from wg.meetings import services as meetings
from wg.notify import scheduler
from wg.notify.models import OutboxState
from wg.webhooks import delivery
from wg.webhooks import services as webhooks
from wg.webhooks.models import WebhookAttempt, WebhookDelivery


def _deliver(t):
    return delivery.deliver_webhooks(now=t, allow_private=True, timeout=5)


def _start():
    return datetime.now(UTC).replace(microsecond=0)


def test_event_arrives_once_signed_through_an_outage(ctx):
    c = factories.coalition()
    chair, group = c["people"]["chair"], c["groups"]["SWG1.1"]
    t0 = _start()
    with Receiver(statuses=[503, 503]) as receiver:
        sub, secret = webhooks.create_subscription(chair, receiver.url, ["action.progress"],
                                                   group, "Observatory", t0,
                                                   allow_private=True)
        action = factories.action(group, owner=c["people"]["member"], actor=chair, now=t0)
        db.session.commit()
        # Only the subscribed event is queued (not action.created).
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
        actions.record_progress(action, c["people"]["member"], "in_progress", 40,
                                "Data shared", expected_version=1, now=t0)
        db.session.commit()

        assert _deliver(t0)["retry"] == 1                          # 503
        assert _deliver(t0 + timedelta(seconds=30))["retry"] == 0  # not due yet: no attempt
        assert _deliver(t0 + timedelta(minutes=1))["retry"] == 1   # 503 again
        assert _deliver(t0 + timedelta(minutes=5))["sent"] == 0    # waits 5 minutes
        assert _deliver(t0 + timedelta(minutes=6))["sent"] == 1    # 200
        assert _deliver(t0 + timedelta(hours=5)) == {"sent": 0, "retry": 0, "failed": 0,
                                                     "skipped": 0, "paused": 0}

    assert len(receiver.requests) == 3
    ids = {headers["X-WG-Event-Id"] for _path, headers, _body in receiver.requests}
    assert len(ids) == 1  # one event, retried under its id
    path, headers, body = receiver.requests[-1]
    assert path == "/hooks/wg" and headers["X-WG-Event"] == "action.progress"
    sent_at = (t0 + timedelta(minutes=6)).timestamp()
    assert delivery.verify(secret, headers["X-WG-Timestamp"], body, headers["X-WG-Signature"],
                           sent_at)
    # A forged body or a replay outside the window is refused by the same check.
    assert not delivery.verify(secret, headers["X-WG-Timestamp"], body + b" ",
                               headers["X-WG-Signature"], sent_at)
    assert not delivery.verify(secret, headers["X-WG-Timestamp"], body,
                               headers["X-WG-Signature"], sent_at + 301)
    event = json.loads(body)
    assert event["type"] == "action.progress" and event["id"] == ids.pop()
    assert event["group"]["code"] == "SWG1.1"
    assert event["data"]["action"]["id"] == action.id
    assert event["data"]["progress_log"]["new_progress"] == 40
    assert event["data"]["progress_log"]["note"] == "Data shared"
    row = db.session.scalar(select(WebhookDelivery))
    assert row.state is OutboxState.sent and row.attempts == 3 and row.last_status_code == 200
    assert [a.status_code for a in db.session.scalars(
        select(WebhookAttempt).order_by(WebhookAttempt.id))] == [503, 503, 200]


def test_event_is_queued_with_the_change_and_rolls_back_with_it(ctx, now):
    c = factories.coalition()
    chair, group = c["people"]["chair"], c["groups"]["SWG1.1"]
    webhooks.create_subscription(chair, "https://hooks.example.org/a", ["action.created"],
                                 group, "", now)
    db.session.commit()
    factories.action(group, actor=chair, now=now)
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
    factories.action(group, actor=chair, now=now)
    db.session.commit()
    assert db.session.scalar(select(WebhookDelivery.event)) == "action.created"


def test_each_subscription_gets_its_groups_events_once(ctx, now):
    c = factories.coalition()
    people, groups = c["people"], c["groups"]
    everything = list(webhooks.EVENTS)
    coordinator_all, _ = webhooks.create_subscription(
        people["coordinator"], "https://hooks.example.org/all", everything, None, "", now)
    chair_sub, _ = webhooks.create_subscription(
        people["chair"], "https://hooks.example.org/swg11", everything, groups["SWG1.1"], "",
        now)
    other, _ = webhooks.create_subscription(
        people["coordinator"], "https://hooks.example.org/swg32", everything, groups["SWG3.2"],
        "", now)
    paused, _ = webhooks.create_subscription(
        people["coordinator"], "https://hooks.example.org/paused", everything, None, "", now)
    webhooks.set_active(paused, people["coordinator"], False, now, expected_version=1)
    db.session.commit()

    chair = people["chair"]
    meeting = meetings.add_extra_meeting(groups["SWG1.1"], chair, meeting_input(), now)
    meetings.cancel_meeting(meeting, chair, "Clashes with the plenary", now,
                            expected_version=meeting.version)
    other_meeting = meetings.add_extra_meeting(groups["SWG1.1"], chair,
                                               meeting_input(title="Held",
                                                             day=(now - timedelta(days=8)).date()),
                                               now - timedelta(days=30))
    meetings.save_minutes(other_meeting, chair, "We met.", now)
    meetings.publish_minutes(other_meeting, chair, now)
    meetings.add_decision(other_meeting, chair, "Share the seizure data monthly.", now)
    db.session.commit()

    def events_of(sub):
        return list(db.session.scalars(select(WebhookDelivery.event).where(
            WebhookDelivery.subscription_id == sub.id).order_by(WebhookDelivery.id)))

    expected = ["meeting.created", "meeting.cancelled", "meeting.created",
                "minutes.published", "decision.recorded"]
    assert events_of(coordinator_all) == expected
    assert events_of(chair_sub) == expected
    assert events_of(other) == [] and events_of(paused) == []
    # One event id per event, shared by the subscriptions that receive it.
    pairs = db.session.execute(select(WebhookDelivery.event_id, func.count()).group_by(
        WebhookDelivery.event_id)).all()
    assert len(pairs) == 5 and all(n == 2 for _id, n in pairs)


def test_a_chair_who_lost_the_role_gets_nothing_more(ctx, now):
    from wg.groups.models import Membership

    c = factories.coalition()
    chair, group = c["people"]["chair"], c["groups"]["SWG1.1"]
    webhooks.create_subscription(chair, "https://hooks.example.org/a", ["action.created"],
                                 group, "", now)
    db.session.query(Membership).filter_by(person_id=chair.id).delete()
    db.session.commit()
    db.session.expire_all()
    factories.action(group, actor=c["people"]["coordinator"], now=now)
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0


def test_redirects_are_not_followed_and_failures_end_after_six_attempts(ctx, now):
    c = factories.coalition()
    t = _start()
    with Receiver(statuses=[302] * 6, location="http://127.0.0.1:9/elsewhere") as receiver:
        sub, _ = webhooks.create_subscription(c["people"]["coordinator"], receiver.url,
                                              ["action.created"], None, "", t,
                                              allow_private=True)
        factories.action(c["groups"]["SWG1.1"], actor=c["people"]["chair"], now=t)
        db.session.commit()
        for minutes in (0, 1, 6, 21, 81, 321):
            _deliver(t + timedelta(minutes=minutes))
    assert len(receiver.requests) == 6
    assert all(r[0] == "/hooks/wg" for r in receiver.requests)  # never the Location
    row = db.session.scalar(select(WebhookDelivery))
    assert row.state is OutboxState.failed and row.attempts == 6
    assert "redirects are not followed" in row.last_error


def test_claimed_delivery_is_skipped_and_the_scheduler_job_delivers(app, ctx):
    from wg.notify import leases

    c = factories.coalition()
    t = _start()
    with Receiver() as receiver:
        sub, secret = webhooks.create_subscription(c["people"]["coordinator"], receiver.url,
                                                   ["action.created"], None, "", t,
                                              allow_private=True)
        factories.action(c["groups"]["SWG1.1"], actor=c["people"]["chair"], now=t)
        db.session.commit()
        row_id = db.session.scalar(select(WebhookDelivery.id))
        assert leases.claim(WebhookDelivery, row_id, t, timedelta(minutes=5), "other-worker")
        assert _deliver(t)["sent"] == 0 and receiver.requests == []
        job = next(j for j in scheduler.job_list(app.config) if j.name == "deliver-webhooks")
        # The lease expires: the scheduler's job (its real clock) sends it once.
        db.session.execute(WebhookDelivery.__table__.update().values(locked_until=t))
        db.session.commit()
        result = scheduler.run_job(app, job)
        assert result["sent"] == 1
        assert scheduler.run_job(app, job)["sent"] == 0
    assert len(receiver.requests) == 1
    _path, headers, body = receiver.requests[0]
    assert delivery.verify(secret, headers["X-WG-Timestamp"], body, headers["X-WG-Signature"],
                           datetime.now(UTC).timestamp())


def test_urls_must_be_http(ctx, now):
    import pytest

    from wg.errors import ValidationError

    c = factories.coalition()
    for url in ("ftp://example.org/x", "javascript:alert(1)", "file:///etc/passwd",
                "https://user:pw@example.org/", "example.org/hook", "http://", ""):
        with pytest.raises(ValidationError) as info:
            webhooks.create_subscription(c["people"]["coordinator"], url, ["action.created"],
                                         None, "", now)
        assert "url" in info.value.errors
    with pytest.raises(ValidationError) as info:
        webhooks.create_subscription(c["people"]["coordinator"], "http://127.0.0.1:8080/x",
                                     ["action.created"], None, "", now)
    assert "url" in info.value.errors
    with pytest.raises(ValidationError) as info:
        webhooks.create_subscription(c["people"]["coordinator"], "https://example.org/x",
                                     ["nothing.happened"], None, "", now)
    assert "events" in info.value.errors
    with pytest.raises(delivery.DeliveryError):
        delivery.post("http://localhost:9/x", "{}", {}, 1, allow_private=False)
