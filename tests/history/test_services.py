"""The history core: entries, replay, the append-only rule, version checks, views."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from tests import factories as f
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.history.models import HistoryEntry

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_diff_keeps_only_changed_fields_as_json():
    before = {"title": "A", "due": date(2026, 1, 1), "weight": 1}
    after = {"title": "B", "due": date(2026, 1, 1), "weight": 2}
    assert history.diff(before, after) == {"title": ["A", "B"], "weight": [1, 2]}


def test_record_and_replay_rebuild_the_fields(ctx):
    chair = f.person("Ada Chair")
    history.record(chair, "meeting", 7, "created", history.created({"title": "T", "place": None}),
                   now=NOW, version=1)
    history.record(chair, "meeting", 7, "updated", {"title": ["T", "T2"]}, now=NOW, version=2)
    history.record(None, "meeting", 8, "created", {"title": [None, "other"]}, now=NOW)
    db.session.commit()
    entries = history.entries_for("meeting", 7)
    assert [e.verb for e in entries] == ["created", "updated"]
    assert entries[0].actor_label == "Ada Chair"
    assert history.replay(entries) == {"title": "T2", "place": None}
    history.record(chair, "meeting", 7, "deleted", history.deleted({"title": "T2"}), now=NOW)
    assert history.replay(history.entries_for("meeting", 7)) is None


def test_children_are_filed_under_their_parent(ctx):
    history.record(None, "agenda_item", 3, "created", {"title": [None, "Welcome"]}, now=NOW,
                   parent=("meeting", 7))
    db.session.commit()
    assert len(history.entries_for("meeting", 7)) == 1
    assert history.entries_for("meeting", 7, include_children=False) == []


def test_the_application_refuses_to_change_or_delete_an_entry(ctx):
    entry = history.record(None, "group", 1, "created", {"code": [None, "WG1"]}, now=NOW)
    db.session.commit()
    entry.verb = "forged"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(HistoryEntry, entry.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(HistoryEntry, entry.id).verb == "created"


def test_postgresql_refuses_update_and_delete_of_entries(ctx):
    entry = history.record(None, "group", 1, "created", {"code": [None, "WG1"]}, now=NOW)
    db.session.commit()
    if db.engine.dialect.name != "postgresql":
        assert db.engine.dialect.name == "sqlite"  # SQLite has no roles: the app guard above
        return
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE history_entries SET verb = 'x'", "DELETE FROM history_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    assert db.session.get(HistoryEntry, entry.id).verb == "created"


def test_check_version_names_who_changed_what(ctx):
    chair = f.person("Ada Chair")

    class Obj:
        id = 5
        version = 3

    history.record(chair, "series", 5, "updated", {"place": ["Room A", "Room B"]}, now=NOW,
                   version=3)
    db.session.flush()
    history.check_version("series", Obj, 3)  # current: passes
    history.check_version("series", Obj, None)  # unchecked: passes
    with pytest.raises(history.StaleEdit) as info:
        history.check_version("series", Obj, "2")
    assert info.value.current_version == 3 and info.value.seen_version == 2
    assert "Ada Chair updated (place)" in info.value.describe()
    with pytest.raises(ValidationError):
        history.check_version("series", Obj, "99999999999999999999")


def _seeded_history(coalition):
    people, groups = coalition["people"], coalition["groups"]
    history.record(people["chair"], "group", groups["SWG1.1"].id, "renamed",
                   {"title": ["Old", "New title"]}, now=NOW, group_id=groups["SWG1.1"].id,
                   label="SWG1.1")
    history.record(people["coordinator"], "person", people["member"].id, "updated",
                   {"name": ["Mem", "Mem Member"]}, now=NOW, label="Mem Member")
    db.session.commit()


def test_history_view_follows_the_objects_permissions(app, login):
    with app.app_context():
        c = f.coalition()
        _seeded_history(c)
        swg = c["groups"]["SWG1.1"].id
        member_id = c["people"]["member"].id
    web = login("member@example.org")
    page = web.get(f"/history/group/{swg}")
    assert page.status_code == 200 and "New title" in page.get_data(as_text=True)
    assert web.get(f"/history/person/{member_id}").status_code == 200  # their own
    assert web.get(f"/history/nothing/{swg}").status_code == 404
    assert web.get("/history/group/999999").status_code == 404
    assert web.get("/admin/audit").status_code == 403


def test_outsider_cannot_read_another_persons_history(app, login):
    with app.app_context():
        c = f.coalition()
        _seeded_history(c)
        member_id = c["people"]["member"].id
    web = login("outsider@example.org")
    assert web.get(f"/history/person/{member_id}").status_code == 403


def test_audit_page_filters_and_exports(app, login):
    with app.app_context():
        c = f.coalition()
        _seeded_history(c)
    web = login("coordinator@example.org")
    html = web.get("/admin/audit").get_data(as_text=True)
    assert "New title" in html and "Mem Member" in html
    html = web.get("/admin/audit?type=person").get_data(as_text=True)
    assert "Mem Member" in html and "New title" not in html
    html = web.get("/admin/audit?who=cha+chair").get_data(as_text=True)
    assert "New title" in html and "Mem Member" not in html
    csv = web.get("/admin/audit.csv?type=group&excel=0")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("id,at_utc,actor")
    assert len(lines) == 2 and "New title" in lines[1]
    # hostile filters answer, never fail
    for query in ("before=99999999999999999999", "group=-5", "from=2026-13-45", "q=%25_%5C"):
        assert web.get(f"/admin/audit?{query}").status_code == 200
