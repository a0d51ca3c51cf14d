"""Register pages: who may see and record, filters, the CSV, the meeting page's form."""

import csv
import io
from datetime import date

from tests import factories
from tests.conftest import NOW
from tests.meetings.helpers import meeting_input
from wg import permissions
from wg.decisions import services as decisions
from wg.extensions import db
from wg.meetings import services as meetings


def _world(app):
    with app.app_context():
        c = factories.coalition()
        g, chair = c["groups"], c["people"]["chair"]
        meeting = meetings.add_extra_meeting(g["SWG1.1"], chair,
                                             meeting_input(day=date(2026, 2, 3)), NOW)
        draft = meetings.add_decision(meeting, chair, "Draft decision of the meeting", NOW)
        public = decisions.record_decision(g["SWG1.1"], chair, decisions.DecisionInput(
            text="Sharé the seizure data", decided_on=date(2026, 1, 5)), NOW)
        other = decisions.record_decision(g["SWG3.2"], None, decisions.DecisionInput(
            text="Other group's decision", decided_on=date(2025, 6, 1)), NOW)
        db.session.commit()
        return {"meeting": meeting.id, "draft": draft.id, "public": public.id,
                "other": other.id, "emails": {k: p.email for k, p in c["people"].items()}}


def test_who_sees_which_decision(app, login):
    w = _world(app)
    member = login(w["emails"]["member"])
    assert member.get(f"/decisions/{w['public']}").status_code == 200
    # Minutes not published: the meeting's decision is for the chairs until then.
    assert member.get(f"/decisions/{w['draft']}").status_code == 403
    assert member.get(f"/decisions/{w['other']}").status_code == 403
    page = member.get("/decisions/").get_data(as_text=True)
    assert "SWG1.1-2026/2" in page and "SWG1.1-2026/1" not in page and "SWG3.2" not in page
    assert member.get("/decisions/new?group=swg1-1").status_code == 403
    assert member.get("/decisions/new").status_code == 403


def test_chair_records_at_the_meeting_and_finds_it_in_the_register(app, login):
    w = _world(app)
    chair = login(w["emails"]["chair"])
    page = chair.get(f"/meetings/{w['meeting']}").get_data(as_text=True)
    assert "SWG1.1-2026/1" in page and "Record a decision" in page
    path = f"/decisions/new?group=swg1-1&meeting={w['meeting']}"
    response = chair.post(path, {"text": "", "idempotency_key": "k-empty-123"},
                          form_page=f"/meetings/{w['meeting']}")
    assert response.status_code == 422 and "Write the decision." in response.get_data(as_text=True)
    data = {"text": "Adopt the **watch list**", "meeting_id": str(w["meeting"]),
            "idempotency_key": "k-record-123"}
    response = chair.post(path, data, form_page=f"/meetings/{w['meeting']}")
    assert response.status_code == 302
    again = chair.post(path, data, form_page=f"/meetings/{w['meeting']}")
    assert again.status_code == 302 and "/decisions/" in again.headers["Location"]
    register = chair.get("/decisions/?group=swg1-1&status=open&from=2026-02-01&to=2026-02-28")
    html = register.get_data(as_text=True)
    assert html.count("SWG1.1-2026/3") == 1 and "SWG1.1-2026/2" not in html
    assert f"/meetings/{w['meeting']}#minutes" in html


def test_csv_export_with_and_without_bom(app, login):
    w = _world(app)
    chair = login(w["emails"]["chair"])
    body = chair.get("/decisions/export.csv?sort=date").get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "reference" and [r[0] for r in rows[1:]] == ["SWG1.1-2026/2",
                                                                       "SWG1.1-2026/1"]
    assert rows[1][6] == "Sharé the seizure data"
    plain = chair.get("/decisions/export.csv?excel=0&status=open").get_data()
    assert plain.startswith(b"reference,")
    assert chair.get("/decisions/export.csv?from=nope").status_code == 400


def test_permission_predicates(app):
    w = _world(app)
    with app.app_context():
        from wg.auth.models import Person
        from wg.groups.models import Group

        g = {x.code: x for x in db.session.query(Group)}
        p = {k: db.session.query(Person).filter_by(email=e).one() for k, e in w["emails"].items()}
        assert permissions.can_record_decision(p["chair"], g["SWG1.1"])
        assert permissions.can_record_decision(p["coordinator"], g["SWG3.2"])
        assert not permissions.can_record_decision(p["member"], g["SWG1.1"])
        assert not permissions.can_record_decision(p["lead"], g["SWG1.1"])
        from wg.decisions.models import Decision

        draft = db.session.get(Decision, w["draft"])
        assert permissions.can_view_decision(p["chair"], draft)
        assert not permissions.can_view_decision(p["lead"], draft)
        assert permissions.can_edit_initiatives_of(p["lead"], g["SWG1.2"])
        assert not permissions.can_edit_initiatives_of(p["chair"], g["WG1"])
        assert permissions.can_edit_initiatives_of(p["coordinator"], g["WG3"])
        assert not permissions.can_create_initiative(p["member"])
