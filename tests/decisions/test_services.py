"""The decision register's services: numbering, supersede, versions, repeats, history, webhook."""

import threading
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.meetings.helpers import meeting_input
from wg import idempotency
from wg.decisions import services as decisions
from wg.decisions.models import Decision, DecisionStatus
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.meetings import services as meetings


def _record(group, actor, now, text="Adopt the watch list", day=date(2026, 3, 1), **kw):
    return decisions.record_decision(group, actor, decisions.DecisionInput(
        text=text, decided_on=day, **kw), now)


def test_numbers_run_per_group_and_year(ctx, now):
    c = factories.coalition()
    g, chair = c["groups"], c["people"]["chair"]
    a = _record(g["SWG1.1"], chair, now)
    b = _record(g["SWG1.1"], chair, now)
    other = _record(g["SWG1.2"], chair, now)
    next_year = _record(g["SWG1.1"], chair, now.replace(year=2027), day=date(2027, 1, 2))
    assert [a.number, b.number, other.number, next_year.number] == [1, 2, 1, 1]
    assert b.reference == "SWG1.1-2026/2" and next_year.reference == "SWG1.1-2027/1"


def test_meeting_decision_enters_register_dated_on_meeting_day(ctx, now):
    c = factories.coalition()
    chair, group = c["people"]["chair"], c["groups"]["SWG1.1"]
    meeting = meetings.add_extra_meeting(group, chair, meeting_input(day=date(2026, 2, 3)), now)
    d = meetings.add_decision(meeting, chair, "Share seizure data *monthly*.", now)
    assert d.meeting_id == meeting.id and d.decided_on == date(2026, 2, 3)
    assert d.number == 1 and "<em>monthly</em>" in d.text_html
    entry = history.entries_for("meeting", meeting.id)[-1]
    assert entry.object_type == "decision" and entry.verb == "created"
    with pytest.raises(ValidationError) as err:
        meetings.add_decision(meeting, chair, "<script>x</script>", now)
    assert "decision" in err.value.errors


def test_superseding_marks_the_old_one_in_the_same_transaction(ctx, now):
    c = factories.coalition()
    g, chair = c["groups"], c["people"]["chair"]
    old = _record(g["SWG1.1"], chair, now)
    new = _record(g["SWG1.1"], chair, now, text="Replace it", supersedes_id=old.id)
    db.session.commit()
    db.session.refresh(old)
    assert old.status is DecisionStatus.superseded and old.version == 2
    assert new.supersedes_id == old.id and decisions.superseded_by(old) == [new]
    verbs = [e.verb for e in history.entries_for("decision", old.id)]
    assert verbs == ["created", "superseded"]
    # A superseded decision cannot be superseded again, nor another group's.
    with pytest.raises(ValidationError):
        _record(g["SWG1.1"], chair, now, supersedes_id=old.id)
    with pytest.raises(ValidationError):
        _record(g["SWG1.2"], chair, now, supersedes_id=new.id)


def test_stale_update_is_refused_and_status_rules_hold(ctx, now):
    c = factories.coalition()
    chair, group = c["people"]["chair"], c["groups"]["SWG1.1"]
    d = _record(group, chair, now)
    assert decisions.update_decision(d, chair, d.text, "implemented", [], now, expected_version=1)
    assert d.status is DecisionStatus.implemented and d.version == 2
    with pytest.raises(history.StaleEdit):
        decisions.update_decision(d, chair, "Other text", "open", [], now, expected_version=1)
    with pytest.raises(ValidationError):
        decisions.update_decision(d, chair, d.text, "superseded", [], now, expected_version=2)
    db.session.refresh(d)
    assert d.text == "Adopt the watch list"


def test_follow_up_actions_must_be_of_the_group(ctx, now):
    c = factories.coalition()
    g, chair = c["groups"], c["people"]["chair"]
    mine = factories.action(g["SWG1.1"])
    theirs = factories.action(g["SWG3.2"])
    d = _record(g["SWG1.1"], chair, now, action_ids=[mine.id])
    assert [a.id for a in d.actions] == [mine.id]
    with pytest.raises(ValidationError) as err:
        _record(g["SWG1.1"], chair, now, action_ids=[theirs.id])
    assert "action_ids" in err.value.errors


def test_a_repeated_form_records_nothing_new(ctx, now):
    c = factories.coalition()
    chair, group = c["people"]["chair"], c["groups"]["SWG1.1"]
    data = decisions.DecisionInput(text="Once", decided_on=date(2026, 3, 1))
    decisions.record_decision(group, chair, data, now, key="form-key-123")
    db.session.commit()
    with pytest.raises(idempotency.AlreadyDone):
        decisions.record_decision(group, chair, data, now, key="form-key-123")
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Decision)) == 1


def test_recording_fires_the_webhook_event(ctx, now):
    from wg.webhooks import services as webhooks
    from wg.webhooks.models import WebhookDelivery

    c = factories.coalition()
    coordinator, group = c["people"]["coordinator"], c["groups"]["SWG1.1"]
    webhooks.create_subscription(coordinator, "https://hooks.example.org/x",
                                 ["decision.recorded"], None, "", now)
    d = _record(group, c["people"]["chair"], now)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.event == "decision.recorded" and d.reference in delivery.payload


def test_concurrent_recordings_never_share_a_number(app, now):
    """Four sessions recording at once: the unique constraint and the retry give distinct
    numbers (on PostgreSQL a real race; SQLite serializes the writers, which must also hold)."""
    with app.app_context():
        c = factories.coalition()
        group_id = c["groups"]["SWG1.1"].id
    barrier = threading.Barrier(4)
    errors = []

    def worker(n):
        try:
            with app.app_context():
                from wg.groups.models import Group

                group = db.session.get(Group, group_id)
                barrier.wait()
                for i in range(5):
                    _record(group, None, now, text=f"Decision {n}-{i}")
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.app_context():
        numbers = sorted(db.session.scalars(select(Decision.number)))
    assert numbers == list(range(1, 21))
