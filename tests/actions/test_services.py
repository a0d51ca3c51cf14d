import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories as f
from wg.actions import services as actions
from wg.actions.models import ActionItem, ActionStatus, ProgressLog
from wg.errors import ValidationError
from wg.extensions import db


@pytest.fixture()
def world(ctx):
    return f.coalition()


def test_record_progress_writes_log_and_moves_action(world, now):
    people, groups = world["people"], world["groups"]
    a = f.action(groups["SWG1.1"], owner=people["member"])
    log = actions.record_progress(a, people["member"], "in_progress", "40", "Drafted", 1, now)
    db.session.commit()
    assert (a.status, a.progress, a.version) == (ActionStatus.in_progress, 40, 2)
    assert (log.old_status, log.new_status, log.old_progress, log.new_progress) == (
        ActionStatus.open, ActionStatus.in_progress, 0, 40)
    assert a.last_progress_at == now and log.author_id == people["member"].id


@pytest.mark.parametrize("status,progress,field", [
    ("finished", 10, "status"), ("open", 101, "progress"), ("open", -1, "progress"),
    ("open", "ten", "progress"), ("blocked", 0, "note"),
])
def test_bad_progress_input_is_refused_and_nothing_written(world, now, status, progress, field):
    a = f.action(world["groups"]["SWG1.1"])
    with pytest.raises(ValidationError) as err:
        actions.record_progress(a, world["people"]["chair"], status, progress, "", 1, now)
    assert field in err.value.errors
    assert db.session.scalar(select(func.count(ProgressLog.id))) == 0
    assert db.session.get(ActionItem, a.id).version == 1


def test_note_required_when_progress_goes_down(world, now):
    chair = world["people"]["chair"]
    a = f.action(world["groups"]["SWG1.1"])
    actions.record_progress(a, chair, "in_progress", 60, "", 1, now)
    with pytest.raises(ValidationError) as err:
        actions.record_progress(a, chair, "in_progress", 50, " ", 2, now)
    assert "goes down" in err.value.errors["note"]
    actions.record_progress(a, chair, "in_progress", 50, "Recounted", 2, now)
    assert a.progress == 50


def test_stale_version_is_refused_with_what_changed(world, now):
    chair, member = world["people"]["chair"], world["people"]["member"]
    a = f.action(world["groups"]["SWG1.1"], owner=member)
    actions.record_progress(a, member, "blocked", 20, "Waiting for customs data", 1, now)
    with pytest.raises(actions.StaleVersion) as err:
        actions.record_progress(a, chair, "in_progress", 30, "", 1, now)
    message = str(err.value)
    assert "Blocked" in message and "Waiting for customs data" in message
    assert (a.status, a.progress, a.version) == (ActionStatus.blocked, 20, 2)
    # A stale page that leaves status and progress as they now are only adds a note.
    actions.record_progress(a, chair, "blocked", 20, "Chased customs", 1, now)
    assert a.version == 3 and len(a.logs) == 2


def test_stale_edit_is_refused(world, now):
    chair = world["people"]["chair"]
    a = f.action(world["groups"]["SWG1.1"])
    actions.record_progress(a, chair, "in_progress", 10, "", 1, now)
    data = actions.ActionInput(title="New title", due_date=date(2026, 9, 1), weight=2)
    with pytest.raises(actions.StaleVersion):
        actions.update_action(a, chair, data, 1, now)
    assert a.title == "Share precursor seizure data" and a.weight == 1


def test_create_validates_owner_participants_date_weight(world, now):
    groups, people = world["groups"], world["people"]
    italy = people["other_member"].participant  # takes part in SWG3.2, not SWG1.1
    data = actions.ActionInput(title="", owner_id=people["outsider"].id,
                               participant_ids=[italy.id], due_date="31/02/2026", weight="0",
                               progress="150")
    with pytest.raises(ValidationError) as err:
        actions.create_action(groups["SWG1.1"], people["chair"], data, now)
    assert set(err.value.errors) == {"title", "owner_id", "participant_ids", "due_date",
                                     "weight", "progress"}
    assert "does not take part" in err.value.errors["participant_ids"]
    assert db.session.scalar(select(func.count(ActionItem.id))) == 0


def test_create_with_status_writes_first_entry(world, now):
    groups, people = world["groups"], world["people"]
    ghana = people["member"].participant
    data = actions.ActionInput(title="Map labs", owner_id=people["member"].id,
                               participant_ids=[ghana.id], due_date=date(2026, 5, 1),
                               weight=3, status="in_progress", progress=25)
    a = actions.create_action(groups["SWG1.1"], people["chair"], data, now)
    assert (a.status, a.progress, a.version, a.weight) == (ActionStatus.in_progress, 25, 2, 3)
    assert [p.code for p in a.participants] == ["GHA"] and len(a.logs) == 1


def _concurrent(app, action_id, person_ids, versions, now):
    """Each thread records one entry in its own session and commits."""
    results = [None] * len(person_ids)
    barrier = threading.Barrier(len(person_ids))

    def work(i):
        with app.app_context():
            from wg.auth.models import Person

            a = db.session.get(ActionItem, action_id)
            person = db.session.get(Person, person_ids[i])
            barrier.wait()
            try:
                actions.record_progress(a, person, "in_progress", 10 * (i + 1), f"entry {i}",
                                        versions[i], now + timedelta(seconds=i))
                db.session.commit()
                results[i] = "ok"
            except actions.StaleVersion:
                db.session.rollback()
                results[i] = "stale"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(person_ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_concurrent_entries_are_both_recorded(world, now):
    people = world["people"]
    a = f.action(world["groups"]["SWG1.1"], owner=people["member"])
    db.session.commit()
    ids = [people["member"].id, people["chair"].id]
    results = _concurrent(ctx_app(), a.id, ids, [None, None], now)
    assert results == ["ok", "ok"]
    db.session.expire_all()
    logs = db.session.scalars(select(ProgressLog).where(ProgressLog.action_id == a.id)
                              .order_by(ProgressLog.id)).all()
    assert len(logs) == 2 and [log.version for log in logs] == [2, 3]
    # The chain is unbroken: the second entry starts from what the first one set.
    assert logs[1].old_progress == logs[0].new_progress
    assert db.session.get(ActionItem, a.id).version == 3


def test_two_concurrent_entries_from_one_stale_page_never_overwrite(world, now):
    people = world["people"]
    a = f.action(world["groups"]["SWG1.1"], owner=people["member"])
    db.session.commit()
    ids = [people["member"].id, people["chair"].id]
    results = _concurrent(ctx_app(), a.id, ids, [1, 1], now)
    assert sorted(results) == ["ok", "stale"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ProgressLog.id))) == 1
    assert db.session.get(ActionItem, a.id).version == 2


def ctx_app():
    from flask import current_app

    return current_app._get_current_object()
