"""Issue 9 for actions: history of every change, the creation's note and author, exactly-once
progress entries and bulk Apply, unchanged bulk rows."""

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from tests import factories as f
from tests.actions.test_bulk import _sheet, _upload, chair_web  # noqa: F401  (fixture)
from wg.actions import csvio
from wg.actions import services as actions
from wg.actions.models import ActionItem, ProgressLog
from wg.auth.models import Person
from wg.extensions import db
from wg.history import services as history
from wg.history.models import HistoryEntry
from wg.idempotency import IdempotencyKey
from wg.rollups import queries, summary

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _entries(action_id):
    return history.entries_for("action", action_id, include_children=False)


def _logs(app=None):
    return db.session.scalar(select(func.count(ProgressLog.id)))


# --- history ------------------------------------------------------------------------------


def test_creation_records_every_field_its_author_and_the_note(ctx):
    w = f.coalition()
    g, chair, member = w["groups"]["SWG1.1"], w["people"]["chair"], w["people"]["member"]
    data = actions.ActionInput(title="Map precursor routes", description="Ports first",
                               owner_id=member.id, participant_ids=[member.participant_id],
                               due_date=date(2026, 6, 30), weight=3,
                               note="Agreed at the March meeting")
    a = actions.create_action(g, chair, data, NOW)
    db.session.commit()
    (entry,) = _entries(a.id)
    assert (entry.verb, entry.actor_id, entry.version, entry.group_id) == ("created", chair.id,
                                                                           1, g.id)
    # Finding 6: the note of an action that starts Open at 0 % is kept as the creation's reason.
    assert entry.reason == "Agreed at the March meeting"
    assert history.replay([entry]) == {
        "group_id": g.id, "title": "Map precursor routes", "description": "Ports first",
        "owner_id": member.id, "participant_ids": [member.participant_id],
        "due_date": "2026-06-30", "weight": 3, "origin_meeting_id": None, "status": "open",
        "progress": 0, "sensitivity": "GREEN"}
    assert actions.creation_entry(a) == entry


def test_created_with_a_status_records_creation_then_the_first_entry(ctx):
    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    data = actions.ActionInput(title="T", due_date=date(2026, 6, 30), status="in_progress",
                               progress=20, note="Already under way")
    a = actions.create_action(g, chair, data, NOW)
    db.session.commit()
    created, first = _entries(a.id)
    assert created.reason is None and created.version == 1
    assert (first.verb, first.version, first.reason) == ("progress", 2, "Already under way")
    assert history.changes_of(first) == {"status": ["open", "in_progress"], "progress": [0, 20]}
    assert a.logs[0].note == "Already under way"


def test_edits_and_progress_write_entries_with_the_new_version(ctx):
    w = f.coalition()
    g, chair, member = w["groups"]["SWG1.1"], w["people"]["chair"], w["people"]["member"]
    a = f.action(g, "Old title", actor=chair, now=NOW - timedelta(days=3))
    actions.update_action(a, chair, actions.ActionInput(
        title="New title", due_date=date(2026, 7, 1), weight=2, owner_id=member.id,
        participant_ids=[member.participant_id]), 1, NOW - timedelta(days=2))
    actions.record_progress(a, member, "blocked", 10, "Customs data missing", 2,
                            NOW - timedelta(days=1))
    db.session.commit()
    created, edited, progress = _entries(a.id)
    assert (edited.verb, edited.version, edited.actor_id) == ("updated", 2, chair.id)
    assert history.changes_of(edited) == {
        "title": ["Old title", "New title"], "due_date": ["2026-06-30", "2026-07-01"],
        "weight": [1, 2], "owner_id": [None, member.id],
        "participant_ids": [[], [member.participant_id]]}
    assert (progress.verb, progress.version, progress.actor_id) == ("progress", 3, member.id)
    assert progress.reason == "Customs data missing"
    assert history.changes_of(progress) == {"status": ["open", "blocked"],
                                            "progress": [0, 10]}
    # A stale edit names the progress entry written since.
    try:
        actions.update_action(a, chair, actions.ActionInput(title="X", due_date=date(2026, 7, 1)),
                              2, NOW)
        raise AssertionError("a stale edit was saved")
    except actions.StaleVersion as exc:
        assert "Mem Member" in exc.describe() and "Customs data missing" in exc.describe()


def test_action_page_shows_author_note_and_history_link(app, login):
    with app.app_context():
        w = f.coalition()
        g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
        a = actions.create_action(g, chair, actions.ActionInput(
            title="T", due_date=date(2026, 6, 30), note="Why we do this"), NOW)
        db.session.commit()
        aid = a.id
        web = login(w["people"]["member"])
    page = web.get(f"/actions/{aid}").get_data(as_text=True)
    created = page.split('id="created-entry"', 1)[1].split("</li>", 1)[0]
    assert "Cha Chair" in created and "Why we do this" in created
    assert f'href="/history/action/{aid}"' in page
    hist = web.get(f"/history/action/{aid}")
    assert hist.status_code == 200 and "Why we do this" in hist.get_data(as_text=True)


# The replay contract, driven by random sequences of the action services.
step_st = st.one_of(
    st.tuples(st.just("progress"), st.sampled_from(["open", "in_progress", "blocked", "done",
                                                     "dropped"]), st.integers(0, 100)),
    st.tuples(st.just("edit"), st.sampled_from(["A", "B", "C"]), st.integers(1, 4),
              st.integers(0, 60), st.booleans(), st.booleans()),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(status=st.sampled_from(["open", "in_progress", "done"]), progress=st.integers(0, 100),
       steps=st.lists(step_st, max_size=8))
def test_replaying_the_history_gives_the_action(app, status, progress, steps):
    with app.app_context():
        try:
            if db.session.scalar(select(Person.id).where(Person.email == "chair@example.org")) \
                    is None:
                f.coalition()
            chair = db.session.scalar(select(Person).where(Person.email == "chair@example.org"))
            member = db.session.scalar(select(Person).where(Person.email ==
                                                            "member@example.org"))
            from wg.groups.models import Group

            g = db.session.scalar(select(Group).where(Group.code == "SWG1.1"))
            at = NOW - timedelta(days=100)
            a = actions.create_action(g, chair, actions.ActionInput(
                title="start", due_date=date(2026, 6, 1), status=status, progress=progress,
                note="n"), at)
            for step in steps:
                at += timedelta(hours=5)
                if step[0] == "progress":
                    actions.record_progress(a, chair, step[1], step[2], "why", None, at)
                else:
                    _, title, weight, days, owned, shared = step
                    actions.update_action(a, chair, actions.ActionInput(
                        title=title, due_date=date(2026, 6, 1) + timedelta(days=days),
                        weight=weight, owner_id=member.id if owned else None,
                        participant_ids=[member.participant_id] if shared else []), None, at)
            db.session.commit()
            a = db.session.get(ActionItem, a.id)
            assert history.replay(_entries(a.id)) == actions.action_values(a)
            assert [e.version for e in _entries(a.id)] == list(range(1, a.version + 1))
            assert summary.check() == []
        finally:
            db.session.rollback()
            tables = ("history_entries", "idempotency_keys", "progress_logs",
                      "action_participants", "action_items", "rollup_month_deltas",
                      "rollup_current", "rollup_participants", "participant_activity", "rollup_owners")
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # its trigger refuses DELETE of history
                    conn.execute(text("TRUNCATE " + ", ".join(tables) + " CASCADE"))
                else:
                    for table in tables:
                        conn.execute(text(f"DELETE FROM {table}"))
            db.session.remove()


# --- exactly once -------------------------------------------------------------------------


def _key(html):
    return re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)


def test_double_submit_of_the_progress_form_records_once(app, login):
    with app.app_context():
        w = f.coalition()
        a = f.action(w["groups"]["SWG1.1"], "A", owner=w["people"]["member"])
        db.session.commit()
        aid = a.id
        web = login(w["people"]["member"])
    page = web.get(f"/actions/{aid}").get_data(as_text=True)
    key = _key(page)
    form = {"status": "in_progress", "progress": "30", "note": "Started", "version": "1",
            "idempotency_key": key}
    first = web.post(f"/actions/{aid}/progress", form, form_page=f"/actions/{aid}")
    second = web.post(f"/actions/{aid}/progress", form, form_page=f"/actions/{aid}")
    assert first.status_code == second.status_code == 302
    shown = web.client.get(second.headers["Location"]).get_data(as_text=True)
    assert "This update was already recorded" in shown
    with app.app_context():
        assert _logs() == 1
        assert db.session.get(ActionItem, aid).version == 2
        assert db.session.scalar(select(func.count(HistoryEntry.id)).where(
            HistoryEntry.verb == "progress")) == 1
        row = db.session.scalar(select(IdempotencyKey))
        assert row.scope == "actions.progress" and row.result_ref.startswith("progress_log:")
    # A fresh form (new key) records a new entry.
    again = dict(form, idempotency_key=_key(web.get(f"/actions/{aid}").get_data(as_text=True)),
                 version="2", progress="50")
    assert web.post(f"/actions/{aid}/progress", again,
                    form_page=f"/actions/{aid}").status_code == 302
    with app.app_context():
        assert _logs() == 2


def test_my_actions_cards_carry_a_key_and_a_repeat_records_once(app, login):
    with app.app_context():
        w = f.coalition()
        member = w["people"]["member"]
        a = f.action(w["groups"]["SWG1.1"], "A", owner=member)
        db.session.commit()
        aid = a.id
        web = login(member)
    page = web.get("/actions/mine").get_data(as_text=True)
    form = {"status": "in_progress", "progress": "10", "note": "", "version": "1",
            "next": "/actions/mine", "idempotency_key": _key(page)}
    for _ in range(2):
        assert web.post(f"/actions/{aid}/progress", form,
                        form_page="/actions/mine").status_code == 302
    with app.app_context():
        assert _logs() == 1


def test_a_key_is_not_reused_across_people_or_scopes(ctx):
    w = f.coalition()
    g, chair, member = w["groups"]["SWG1.1"], w["people"]["chair"], w["people"]["member"]
    a = f.action(g, "A")
    actions.record_progress(a, chair, "in_progress", 10, "", None, NOW, key="k" * 20)
    from wg.errors import ValidationError

    try:
        actions.record_progress(a, member, "in_progress", 20, "", None, NOW, key="k" * 20)
        raise AssertionError("another person's key was accepted")
    except ValidationError as exc:
        assert "damaged" in " ".join(exc.errors.values())


def test_bulk_apply_twice_records_one_set(app, chair_web):  # noqa: F811
    web, ids = chair_web
    rows = _sheet(web)
    rows[0].update(new_status="in_progress", new_progress="40", note="Started")
    rows[1].update(new_status="done", new_progress="100", note="")
    preview = _upload(web, rows).get_data(as_text=True)
    key = _key(preview)
    content = re.search(r'name="content" value="([^"]*)"', preview).group(1)
    import html

    data = {"content": html.unescape(content), "apply": "1", "idempotency_key": key}
    first = web.post("/actions/bulk/swg1-1", data, form_page="/actions/bulk/swg1-1")
    second = web.post("/actions/bulk/swg1-1", data, form_page="/actions/bulk/swg1-1")
    assert first.status_code == second.status_code == 302
    assert "This update was already recorded" in web.client.get(
        second.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert _logs() == 2


def test_reuploading_an_applied_sheet_records_nothing(app, chair_web):  # noqa: F811
    web, ids = chair_web
    rows = _sheet(web)
    rows[0].update(new_status="in_progress", new_progress="40", note="Started")
    rows[1].update(new_status="done", new_progress="100", note="")
    assert _upload(web, rows, apply=True).status_code == 302
    with app.app_context():
        before = {a.id: (a.last_progress_at, a.version) for a in db.session.scalars(
            select(ActionItem))}
        g = db.session.get(ActionItem, ids[0]).group
        not_reported = queries.not_reported(g, NOW - timedelta(days=3650))
        logs = _logs()
    # The same sheet again (the rows keep their old version numbers).
    page = _upload(web, rows).get_data(as_text=True)
    assert page.count("data-unchanged") == 2 and "2 unchanged" in page
    assert "Apply" not in page and 'id="nothing-to-apply"' in page
    assert _upload(web, rows, apply=True).status_code == 302
    with app.app_context():
        assert _logs() == logs
        assert {a.id: (a.last_progress_at, a.version) for a in db.session.scalars(
            select(ActionItem))} == before
        assert [len(x) for x in queries.not_reported(g, NOW - timedelta(days=3650))] == \
            [len(x) for x in not_reported]
        # A row whose note is new is still recorded (a note-only entry).
        parsed = csvio.parse_bulk(csvio.rows_to_csv(list(rows[0]), [
            list(dict(rows[0], note="Second note").values())]), g)
        assert not parsed[0].unchanged and not parsed[0].errors


def test_two_concurrent_submits_with_one_key_record_once(app):
    import threading

    from wg.idempotency import AlreadyDone

    with app.app_context():
        w = f.coalition()
        member = w["people"]["member"]
        a = f.action(w["groups"]["SWG1.1"], "A", owner=member)
        db.session.commit()
        aid, pid = a.id, member.id
    results = [None, None]
    barrier = threading.Barrier(2)

    def work(i):
        with app.app_context():
            action = db.session.get(ActionItem, aid)
            person = db.session.get(Person, pid)
            barrier.wait()
            try:
                actions.record_progress(action, person, "in_progress", 30, "Started", 1,
                                        NOW + timedelta(seconds=i), key="double-click-key-1")
                db.session.commit()
                results[i] = "ok"
            except AlreadyDone:
                db.session.rollback()
                results[i] = "already"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["already", "ok"]
    with app.app_context():
        assert _logs() == 1 and db.session.get(ActionItem, aid).version == 2


def test_no_new_action_in_a_retired_group_but_its_actions_go_on(ctx):
    from wg.errors import ValidationError

    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    a = f.action(g, "A")
    g.is_active = False
    db.session.flush()
    try:
        actions.create_action(g, chair, actions.ActionInput(title="T", due_date=date(2026, 6, 30)),
                              NOW)
        raise AssertionError("an action was added to a retired group")
    except ValidationError as exc:
        assert "retired" in " ".join(exc.errors.values())
    actions.record_progress(a, chair, "done", 100, "Closed when the group was retired", None,
                            NOW)
    assert db.session.get(ActionItem, a.id).progress == 100


def test_a_stale_edit_names_who_edited_which_details(ctx):
    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    a = f.action(g, "A")
    actions.update_action(a, chair, actions.ActionInput(title="B", due_date=date(2026, 8, 1)),
                          1, NOW)
    try:
        actions.update_action(a, chair, actions.ActionInput(title="C",
                                                            due_date=date(2026, 6, 30)), 1, NOW)
        raise AssertionError("a stale edit was saved")
    except actions.StaleVersion as exc:
        assert "Cha Chair changed due date, title" in exc.describe()
