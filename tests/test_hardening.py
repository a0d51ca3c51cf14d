"""Issue 10: hostile input never answers 5xx; request limits; headers; redirects."""

import io
from datetime import date

import pytest

from tests import factories as f
from wg.auth.services import safe_next_url
from wg.extensions import db


@pytest.fixture()
def world(app):
    with app.app_context():
        w = f.coalition()
        g = w["groups"]["SWG1.1"]
        action_id = f.action(g, "Share data", due_date=date(2030, 1, 1)).id
        db.session.commit()
        return {"action_id": action_id, "people": {k: p.email for k, p in w["people"].items()}}


# Finding 2: NUL bytes are refused in one place (PostgreSQL cannot store them: was a 500).
def test_nul_bytes_answer_400(web, world):
    assert web.post("/login", {"email": "a\x00b@x.org", "password": "x"}).status_code == 400
    assert web.get("/calendar/%00.ics").status_code == 400
    assert web.get("/participants?q=%00").status_code in (400, 302)


def test_nul_in_form_of_logged_in_person(login, world):
    web = login(world["people"]["chair"])
    r = web.post(f"/actions/{world['action_id']}/progress", {"note": "a\x00b", "progress": "10"},
                 form_page=f"/actions/{world['action_id']}")
    assert r.status_code == 400


# Finding 6: huge numbers, unicode digits, pager keys.
@pytest.mark.parametrize("path", [
    "/meetings/99999999999999999999",
    "/actions/99999999999999999999",
    "/admin/people/9223372036854775808",
])
def test_huge_ids_in_paths_are_404(login, world, path):
    web = login(world["people"]["coordinator"])
    assert web.get(path).status_code == 404


@pytest.mark.parametrize("query", [
    "page=99999999999999999999", "owner=-99999999999999999999", "owner=%C2%B2",
    "participant=99999999999999999999",
])
def test_huge_numbers_in_queries_are_400(login, world, query):
    web = login(world["people"]["coordinator"])
    assert web.get(f"/actions/?{query}").status_code == 400
    assert web.get(f"/admin/people?{query}").status_code == 400


def test_huge_numbers_in_forms_are_400(login, world):
    web = login(world["people"]["chair"])
    r = web.post(f"/actions/{world['action_id']}/edit",
                 {"title": "x", "owner_id": "99999999999999999999", "version": "1"})
    assert r.status_code == 400


@pytest.mark.parametrize("extra", ["endpoint=x", "_method=POST", "_external=1", "values=x"])
def test_pager_ignores_url_for_keywords(app, login, world, extra):
    with app.app_context():
        for i in range(60):
            f.person(f"Person {i}", f"p{i}@example.org")
        db.session.commit()
    web = login(world["people"]["coordinator"])
    r = web.get(f"/admin/people?{extra}")
    assert r.status_code == 200
    assert "page=2" in r.get_data(as_text=True)


# Finding 3: the bulk upload refuses files over its limit with a message naming the limit.
def _bulk(web, payload):
    data = {"file": (io.BytesIO(payload), "sheet.csv")}
    return web.post("/actions/bulk/swg1-1", data, content_type="multipart/form-data")


def test_bulk_csv_over_limit_is_refused_by_name(login, world):
    web = login(world["people"]["chair"])
    header = b"id,version,new_status,new_progress,note\n"
    payload = header + b"1,1,,,\xc3\xa9" * 1 + b"x" * 2_000_100
    r = _bulk(web, payload)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "larger than 2 MB" in text and "UTF-8" not in text


@pytest.mark.parametrize("payload", [
    b"id,version,new_status,new_progress,note\r1,1,done,100,ok\r",  # CR-only
    b"id,version,new_status,new_progress,note\n1,1,done,100,\"" + b"x" * 140_000 + b"\"\n",
    b"id,version,new_status,new_progress,note\n99999999999999999999,1,done,100,x\n",
])
def test_bulk_csv_odd_files_never_500(login, world, payload):
    web = login(world["people"]["chair"])
    assert _bulk(web, payload).status_code in (200, 422)


# Finding 7: request size limits answer 413.
def test_large_form_is_413(web, world):
    r = web.post("/login", {"email": "x@example.org", "password": "p" * (2 * 1024 * 1024)})
    assert r.status_code == 413


def test_bulk_route_accepts_more_than_forms(login, world):
    web = login(world["people"]["chair"])
    payload = b"id,version,new_status,new_progress,note\n" + b"#" * 1_500_000
    assert _bulk(web, payload).status_code != 413


# Finding 8: headers.
def test_security_headers(client, app):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in r.headers["Permissions-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in r.headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        assert "max-age" in client.get("/login").headers["Strict-Transport-Security"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


# Finding 9: open redirects.
@pytest.mark.parametrize("target", [
    "/\t/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", " /x", "/x\n", "javascript:alert(1)", "/%09/evil.example" + "\t",
])
def test_safe_next_url_refuses(target):
    assert safe_next_url(target) is None


def test_safe_next_url_keeps_local_paths():
    assert safe_next_url("/actions/?group=swg1-1&page=2") == "/actions/?group=swg1-1&page=2"


def test_progress_form_next_is_not_an_open_redirect(login, world):
    web = login(world["people"]["chair"])
    aid = world["action_id"]
    r = web.post(f"/actions/{aid}/progress",
                 {"note": "n", "progress": "10", "status": "in_progress", "version": "1",
                  "next": "/\t/evil.example"}, form_page=f"/actions/{aid}")
    assert r.status_code == 302
    assert "evil" not in r.headers["Location"]


def test_far_due_date_and_unicode_digits_never_500(app, login, world, now):
    from tests.meetings.helpers import make_series
    from wg.meetings.models import Meeting

    with app.app_context():
        g = db.session.query(f.Group).filter_by(code="SWG1.1").one()
        chair = f.Person.query.filter_by(email=world["people"]["chair"]).one()
        make_series(g, chair, now)
        db.session.commit()
        meeting_id = db.session.query(Meeting.id).order_by(Meeting.id).first()[0]
    web = login(world["people"]["chair"])
    r = web.post("/actions/new/swg1-1", {"title": "Far away", "due_date": "9999-12-31",
                                          "weight": "1", "status": "open", "progress": "0"})
    assert r.status_code < 500
    assert web.get("/actions/?due=9999-12-31").status_code < 500
    for path, data in [
        (f"/meetings/{meeting_id}/agenda/carry-over", {"item": "²", "action": "²"}),
        (f"/meetings/{meeting_id}/attendance", {"person": "²", "participant": "99999999999999999999"}),
    ]:
        assert web.post(path, data, form_page=f"/meetings/{meeting_id}").status_code == 400


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_meeting_and_series_dates_at_the_edges_never_500(login, world, day):
    web = login(world["people"]["chair"])
    for preview in ("", "y"):
        extra = {"title": "Edge", "day": day, "start_time": "23:30", "timezone": "Pacific/Kiritimati",
                 "duration_minutes": "99999999", "place": "x"}
        series = {"title": "Edge", "rule_kind": "weekday", "week": "2", "weekday": "1",
                  "month_day": "15", "start_time": "23:30", "timezone": "Pacific/Kiritimati",
                  "duration_minutes": "90", "first_date": day, "last_date": day}
        if preview:
            extra["preview"] = series["preview"] = "y"
        assert web.post("/groups/swg1-1/meetings/new", extra).status_code < 500
        assert web.post("/groups/swg1-1/series/new", series).status_code < 500
