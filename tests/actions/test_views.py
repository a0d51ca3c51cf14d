import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests import factories as f
from wg.actions.models import ActionItem, ActionStatus, ProgressLog
from wg.extensions import db


@pytest.fixture()
def world(app):
    with app.app_context():
        w = f.coalition()
        people, groups = w["people"], w["groups"]
        ghana = people["member"].participant
        later = date(2030, 1, 1)
        a1 = f.action(groups["SWG1.1"], "Owned by member", owner=people["member"], due_date=later)
        a2 = f.action(groups["SWG1.1"], "Ghana responsible", participants=[ghana],
                      due_date=date(2025, 1, 1))
        a3 = f.action(groups["SWG1.1"], "Chair's own", owner=people["chair"], due_date=later)
        a4 = f.action(groups["SWG3.2"], "Other group", owner=people["other_member"],
                      due_date=later)
        db.session.commit()
        ids = {"owned": a1.id, "ghana": a2.id, "chair": a3.id, "other": a4.id,
               "member": people["member"].id}
        emails = {k: p.email for k, p in people.items()}
    return {"ids": ids, "emails": emails}


def _login(login, world, role):
    from wg.auth.models import Person

    person = db.session.scalar(select(Person).where(Person.email == world["emails"][role]))
    return login(person)


# Who may record progress on which action (the update permission matrix).
MATRIX = [
    ("member", "owned", 302), ("member", "ghana", 302), ("member", "chair", 403),
    ("member", "other", 403), ("chair", "owned", 302), ("chair", "chair", 302),
    ("chair", "other", 403), ("lead", "owned", 403), ("coordinator", "owned", 403),
    ("other_member", "owned", 403), ("other_member", "other", 302), ("outsider", "owned", 403),
]


@pytest.mark.parametrize("role,which,expected", MATRIX)
def test_update_permission_matrix(app, world, login, role, which, expected):
    with app.app_context():
        web = _login(login, world, role)
        action_id = world["ids"][which]
        r = web.post(f"/actions/{action_id}/progress",
                     {"status": "in_progress", "progress": "30", "note": "", "version": "1"},
                     form_page="/actions/mine")
        assert r.status_code == expected
        logs = db.session.scalar(select(func.count(ProgressLog.id))
                                 .where(ProgressLog.action_id == action_id))
        assert logs == (1 if expected == 302 else 0)


@pytest.mark.parametrize("role,which,expected", [
    ("member", "owned", 200), ("member", "other", 403), ("lead", "owned", 200),
    ("lead", "other", 403), ("coordinator", "other", 200), ("outsider", "owned", 403),
    ("chair", "other", 403),
])
def test_read_matrix(app, world, login, role, which, expected):
    with app.app_context():
        web = _login(login, world, role)
        assert web.get(f"/actions/{world['ids'][which]}").status_code == expected


@pytest.mark.parametrize("role,path,expected", [
    ("chair", "/actions/new/swg1-1", 200), ("member", "/actions/new/swg1-1", 403),
    ("lead", "/actions/new/swg1-1", 403), ("chair", "/actions/new/swg3-2", 403),
    ("chair", "/actions/bulk/swg1-1", 200), ("member", "/actions/bulk/swg1-1", 403),
    ("lead", "/rollups/", 200), ("coordinator", "/rollups/", 200), ("member", "/rollups/", 403),
    ("chair", "/rollups/", 403), ("lead", "/rollups/groups/swg1-1", 200),
    ("lead", "/rollups/groups/wg3", 403), ("coordinator", "/rollups/groups/wg3", 200),
    ("lead", "/rollups/participants", 200), ("member", "/rollups/participants", 403),
    ("member", "/actions/?group=swg3-2", 403), ("member", "/actions/?group=nope", 404),
    ("member", "/actions/9999", 404), ("outsider", "/actions/mine", 200),
    ("member", "/actions/export.csv?status=bogus", 400),
])
def test_page_access(app, world, login, role, path, expected):
    with app.app_context():
        web = _login(login, world, role)
        assert web.get(path).status_code == expected


def test_my_actions_lists_own_and_country_actions_overdue_first(app, world, login):
    with app.app_context():
        web = _login(login, world, "member")
        page = web.get("/actions/mine").get_data(as_text=True)
        assert page.index("Ghana responsible") < page.index("Owned by member")
        assert "Chair&#39;s own" not in page and "Other group" not in page
        assert "border-warning" in page  # the overdue one is highlighted


def test_my_actions_kept_list_follows_assignments_memberships_and_labels(app, world, login):
    """My actions keeps each person's list under the change stamps: a new action of their
    country, leaving the group, and a label that hides an action each show at once."""
    from wg.auth import services as auth
    from wg.auth.models import Person
    from wg.groups.models import Group, Role

    with app.app_context():
        web = _login(login, world, "member")

        def titles():
            page = web.get("/actions/mine").get_data(as_text=True)
            return {t for t in ("Owned by member", "Ghana responsible", "New for Ghana")
                    if t in page}

        assert titles() == {"Owned by member", "Ghana responsible"}
        assert titles() == {"Owned by member", "Ghana responsible"}  # kept
        member = db.session.get(Person, world["ids"]["member"])
        swg11 = db.session.scalar(select(Group).where(Group.code == "SWG1.1"))
        f.action(swg11, "New for Ghana", participants=[member.participant],
                 due_date=date(2031, 1, 1))
        db.session.commit()
        assert titles() == {"Owned by member", "Ghana responsible", "New for Ghana"}
        # The chair (Mexico) marks it AMBER+STRICT: Mexico's people only, from now on.
        from wg.actions import services as actions

        chair = db.session.scalar(select(Person).where(Person.email == world["emails"]["chair"]))
        new = db.session.scalar(select(ActionItem).where(ActionItem.title == "New for Ghana"))
        actions.update_action(new, chair, actions.ActionInput(
            title=new.title, description="", owner_id=None, participant_ids=[member.participant_id],
            due_date=new.due_date, weight=1, sensitivity="AMBER_STRICT"), new.version,
            datetime.now(UTC))
        db.session.commit()
        assert titles() == {"Owned by member", "Ghana responsible"}
        auth.revoke_role(member, swg11, Role.member)
        db.session.commit()
        assert titles() == {"Owned by member"}  # still their own; no longer their country's


def test_bad_progress_input_kept_beside_field(app, world, login):
    with app.app_context():
        web = _login(login, world, "member")
        action_id = world["ids"]["owned"]
        r = web.post(f"/actions/{action_id}/progress",
                     {"status": "in_progress", "progress": "140", "note": "typed text",
                      "version": "1"}, form_page=f"/actions/{action_id}")
        page = r.get_data(as_text=True)
        assert r.status_code == 422
        assert "from 0 to 100" in page and "typed text" in page and 'value="140"' in page
        r = web.post(f"/actions/{action_id}/progress",
                     {"status": "weird", "progress": "10", "version": "1"},
                     form_page=f"/actions/{action_id}")
        assert r.status_code == 422 and "Unknown status" in r.get_data(as_text=True)
        assert db.session.get(ActionItem, action_id).version == 1


def test_stale_form_is_refused_with_changes_shown(app, world, login):
    with app.app_context():
        web = _login(login, world, "chair")
        action_id = world["ids"]["owned"]
        ok = web.post(f"/actions/{action_id}/progress",
                      {"status": "blocked", "progress": "5", "note": "No lab access",
                       "version": "1"}, form_page=f"/actions/{action_id}")
        assert ok.status_code == 302
        r = web.post(f"/actions/{action_id}/progress",
                     {"status": "done", "progress": "100", "note": "", "version": "1"},
                     form_page=f"/actions/{action_id}")
        page = r.get_data(as_text=True)
        assert r.status_code == 409 and "No lab access" in page and "Not saved" in page
        db.session.expire_all()
        assert db.session.get(ActionItem, action_id).status is ActionStatus.blocked


def test_chair_creates_and_edits_with_errors_beside_fields(app, world, login):
    with app.app_context():
        web = _login(login, world, "chair")
        from wg.participants.models import Participant

        italy = db.session.scalar(select(Participant).where(Participant.code == "ITA"))
        r = web.post("/actions/new/swg1-1", {"title": "Typed title", "due_date": "2026-13-45",
                                              "weight": "1", "participant_ids": [str(italy.id)],
                                              "status": "open", "progress": "0"})
        page = r.get_data(as_text=True)
        assert r.status_code == 422 and "Typed title" in page
        assert "Not a valid date" in page
        r = web.post("/actions/new/swg1-1", {"title": "Typed title", "due_date": "2026-05-01",
                                              "weight": "1", "participant_ids": [str(italy.id)],
                                              "status": "open", "progress": "0"})
        assert r.status_code == 422 and "not take part" in r.get_data(as_text=True)
        assert db.session.scalar(select(func.count(ActionItem.id))) == 4
        r = web.post("/actions/new/swg1-1", {"title": "Seize pill presses", "due_date":
                                              "2026-05-01", "weight": "2", "status": "open",
                                              "progress": "0"})
        assert r.status_code == 302
        new_id = int(re.search(r"/actions/(\d+)", r.headers["Location"]).group(1))
        r = web.post(f"/actions/{new_id}/edit", {"title": "Seize presses", "due_date":
                                                  "2026-06-01", "weight": "3", "version": "1"},
                     form_page=f"/actions/{new_id}/edit")
        assert r.status_code == 302
        a = db.session.get(ActionItem, new_id)
        assert (a.title, a.weight, a.version) == ("Seize presses", 3, 2)


def test_list_filters_and_csv_export(app, world, login):
    with app.app_context():
        web = _login(login, world, "coordinator")
        page = web.get("/actions/?overdue=1").get_data(as_text=True)
        assert "Ghana responsible" in page and "Owned by member" not in page
        page = web.get("/actions/?participant=GHA&q=ghana").get_data(as_text=True)
        assert "1 action." in page
        csv_text = web.get("/actions/export.csv?group=wg1&headers=codes&excel=0").get_data(as_text=True)
        lines = csv_text.strip().splitlines()
        assert lines[0].startswith("id,group,title") and len(lines) == 4
        readable = web.get("/actions/export.csv?group=wg1&excel=0").get_data(as_text=True)
        assert readable.splitlines()[0].startswith("ID,Group,Title,Status,Progress (%)")
        assert web.get("/actions/export.csv?participant=ZZZ").status_code == 400


def test_damaged_version_is_a_message_not_a_500(app, world, login):
    with app.app_context():
        web = _login(login, world, "member")
        action_id = world["ids"]["owned"]
        r = web.post(f"/actions/{action_id}/progress",
                     {"status": "in_progress", "progress": "10", "version": "x1"},
                     form_page=f"/actions/{action_id}")
        assert r.status_code == 422 and "reload the page" in r.get_data(as_text=True)


def test_chair_sees_who_has_not_reported_this_cycle(app, world, login):
    with app.app_context():
        web = _login(login, world, "chair")
        page = web.get("/actions/?group=swg1-1").get_data(as_text=True)
        assert "Not reported this cycle" in page
        quiet = page.split("Not reported this cycle", 1)[1]
        assert "Mem Member" in quiet and "Ghana" in quiet
        r = web.post(f"/actions/{world['ids']['owned']}/progress",
                     {"status": "in_progress", "progress": "10", "version": "1"},
                     form_page=f"/actions/{world['ids']['owned']}")
        assert r.status_code == 302
        quiet = web.get("/actions/?group=swg1-1").get_data(as_text=True).split(
            "Not reported this cycle", 1)[1]
        owners = quiet.split('id="quiet-owners"', 1)[1].split("</details>", 1)[0]
        assert "Ghana" in quiet.split('id="quiet-owners"', 1)[0]
        assert "Mem Member" not in owners


def test_owner_filter_names_the_owner_not_an_id(app, world, login):
    with app.app_context():
        web = _login(login, world, "chair")
        owner_id = world["ids"]["member"]
        page = web.get(f"/actions/?owner={owner_id}").get_data(as_text=True)
        assert "owned by Mem Member" in page and "person #" not in page


def test_kept_list_rows_follow_progress_names_and_language(app, world, login):
    """The actions list keeps each row's card and table row (wg.kept) under everything they
    show: a progress entry, an owner's new name, a new responsible participant and another
    language show at once, and a kept page equals a fresh render."""
    from wg import kept
    from wg.actions import services as actions
    from wg.auth import services as auth
    from wg.auth.models import Person
    from wg.participants.models import Participant

    kept.clear()
    with app.app_context():
        web = _login(login, world, "chair")

    def rows():
        page = web.get("/actions/?group=swg1-1").get_data(as_text=True)
        return page.split('class="list-unstyled action-cards"', 1)[1].split("</table>", 1)[0]

    first = rows()
    assert rows() == first and ">0%<" in first
    with app.app_context():
        chair = db.session.scalar(select(Person).where(Person.email == world["emails"]["chair"]))
        owned = db.session.get(ActionItem, world["ids"]["owned"])
        actions.record_progress(owned, chair, "in_progress", 35, "on its way", owned.version,
                                datetime.now(UTC))
        db.session.commit()
    after = rows()
    assert ">35%<" in after and after.count(">35%<") == 2  # the card and the table row
    with app.app_context():
        member = db.session.get(Person, world["ids"]["member"])
        auth.update_person(member, name="Mona Renamed", email=member.email,
                           participant=member.participant, timezone=member.timezone,
                           language=member.language)
        db.session.commit()
    renamed = rows()
    assert "Mona Renamed" in renamed
    with app.app_context():
        ghana = db.session.scalar(select(Participant).where(Participant.code == "GHA"))
        chair = db.session.scalar(select(Person).where(Person.email == world["emails"]["chair"]))
        chair_own = db.session.get(ActionItem, world["ids"]["chair"])
        chair_own.participants.append(ghana)
        db.session.commit()
    assert rows().count('title="Ghana"') == renamed.count('title="Ghana"') + 2
    renamed = rows()
    kept.clear()
    assert rows() == renamed  # kept rows equal freshly rendered ones
    with app.app_context():
        db.session.scalar(select(Person).where(Person.email == world["emails"]["chair"])) \
            .language = "fr"
        db.session.commit()
    french = rows()
    assert "En cours" in french and "En cours" not in renamed
