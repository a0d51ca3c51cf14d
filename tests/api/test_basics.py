"""Tokens authenticate, errors are problem+json, reads follow the permission module."""

import json
from datetime import timedelta

from wg.api import tokens
from wg.api.models import ApiToken
from wg.extensions import db


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_openapi_document_and_local_docs_page(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert "/api/v1/actions/{action_id}/progress" in doc["paths"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page and "http" not in page.split(
        "<body>")[1].replace("http-equiv", "")
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_missing_unknown_revoked_expired_tokens_answer_401(api, world, now, ctx):
    assert _problem(api(None).get("/api/v1/groups"), 401)
    response = api("wgp_nottherealthing").get("/api/v1/groups")
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api("member").get("/api/v1/groups").status_code == 200
    token = db.session.query(ApiToken).filter_by(name="member sync").one()
    assert token.last_used_at is not None
    tokens.revoke_token(token, world.person("coordinator"), now)
    db.session.commit()
    _problem(api("member").get("/api/v1/groups"), 401)
    expiring, secret = tokens.create_token(world.person("member"), world.person("member"),
                                           "short", "read", 30, now - timedelta(days=31))
    db.session.commit()
    _problem(api(secret).get("/api/v1/groups"), 401)


def test_session_cookie_alone_does_not_open_the_api(login, world):
    web = login("coordinator@example.org")
    _problem(web.client.get("/api/v1/groups"), 401)


def test_only_the_hash_is_stored(world, ctx):  # noqa: ARG001
    secret = world["secrets"]["member"]
    stored = db.session.query(ApiToken).filter_by(name="member sync").one()
    assert stored.token_hash == tokens.hash_token(secret) and secret not in (
        stored.token_hash, stored.prefix)
    assert secret.startswith(stored.prefix)


def test_errors_are_problem_json(api, world):
    member = api("member")
    _problem(member.get("/api/v1/nothing-here"), 404)
    _problem(member.get("/api/v1/actions/999999"), 404)
    _problem(member.get("/api/v1/actions/99999999999999"), 404)
    _problem(member.open("/api/v1/groups", "DELETE"), 405)
    body = _problem(member.get("/api/v1/actions?limit=100000"), 422)
    assert "limit" in body["errors"]
    _problem(member.get("/api/v1/actions?cursor=notacursor"), 400)
    _problem(member.get("/api/v1/people"), 403)
    _problem(member.get("/api/v1/groups/swg3-2"), 403)
    action_id = world["action_id"]
    _problem(member.post(f"/api/v1/actions/{action_id}/progress", data="x",
                         headers={"Content-Type": "text/plain"}), 415)
    _problem(member.post(f"/api/v1/actions/{action_id}/progress", data="{" * 300_000,
                         headers={"Content-Type": "application/json"}), 413)
    body = _problem(member.post(f"/api/v1/actions/{action_id}/progress",
                                json={"status": "finished", "progress": 101}), 422)
    assert set(body["errors"]) == {"status", "progress"}
    _problem(member.post(f"/api/v1/actions/{action_id}/progress",
                         json={"status": "open", "progress": 10}), 428)
    _problem(api("member_read").post(f"/api/v1/actions/{action_id}/progress",
                                     json={"status": "open", "progress": 10}), 403)


def test_html_pages_keep_html_error_pages(login, world):
    web = login("member@example.org")
    response = web.client.get("/actions/999999")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_rate_limit_per_token_answers_429_with_retry_after(database_url, world):
    from tests.api.conftest import ApiClient
    from wg import create_app
    from wg.config import TestConfig

    config = TestConfig(database_url)
    config.RATELIMIT_ENABLED = True
    config.API_RATE_LIMIT = "3 per minute"
    limited = create_app(config)
    member = ApiClient(limited.test_client(), world["secrets"]["member"])
    statuses = [member.get("/api/v1/groups").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = member.get("/api/v1/groups")
    _problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    chair = ApiClient(limited.test_client(), world["secrets"]["chair"])
    assert chair.get("/api/v1/groups").status_code == 200  # each token has its own budget


def test_reads_follow_permissions(api, world):
    tree = api("member").get("/api/v1/groups").get_json()["items"]
    assert [g["code"] for g in tree] == ["WG1"]
    assert [c["code"] for c in tree[0]["children"]] == ["SWG1.1"]
    everyone = api("coordinator").get("/api/v1/groups").get_json()["items"]
    assert len(everyone) == 3 and sum(len(g["children"]) for g in everyone) == 7
    listed = api("member").get("/api/v1/actions").get_json()["items"]
    assert [a["id"] for a in listed] == [world["action_id"]]
    assert api("other_member").get("/api/v1/actions").get_json()["items"] == []
    assert api("other_member").get(f"/api/v1/actions/{world['action_id']}").status_code == 403
    assert api("coordinator").get("/api/v1/people").status_code == 200
    me = world["people"]["member"]
    assert api("member").get(f"/api/v1/people/{me}").status_code == 200


def test_action_detail_has_etag_and_progress_entries(api, world):
    response = api("member").get(f"/api/v1/actions/{world['action_id']}")
    assert response.headers["ETag"] == f'"action-{world["action_id"]}-v1"'
    assert response.get_json()["progress_entries"] == []


def test_rollups_with_month_end_trend(api, world):
    response = api("lead").get("/api/v1/rollups/groups/wg1")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["figures"]["total"] == 1 and body["trend"]
    assert [c["label"].split(" ")[0] for c in body["children"]] == ["SWG1.1", "SWG1.2"]
    _problem(api("member").get("/api/v1/rollups/groups/wg1"), 403)
    coalition = api("coordinator").get("/api/v1/rollups").get_json()
    assert coalition[0]["label"] == "Coalition" and coalition[0]["figures"]["total"] == 1
    assert api("lead").get("/api/v1/rollups/participants").status_code == 200


def test_meeting_detail_and_history(api, world, ctx, now):
    from wg.actions.models import ActionItem
    from wg.history import services as history

    action = db.session.get(ActionItem, world["action_id"])
    history.record(world.person("chair"), "action", action.id, "updated",
                   {"title": ["a", "b"]}, now=now)
    db.session.commit()
    body = api("member").get(f"/api/v1/history/action/{action.id}").get_json()
    assert [e["verb"] for e in body["items"]] == ["created", "updated"]
    assert body["items"][-1]["changes"] == {"title": ["a", "b"]}
    _problem(api("member").get("/api/v1/history/nonsense/1"), 404)
    _problem(api("other_member").get(f"/api/v1/history/action/{action.id}"), 403)
    assert json.loads(api("member").get("/api/v1/groups/swg1-1/meetings")
                      .get_data())["items"] == []


def test_meeting_drafts_are_for_chairs_and_series_reads(api, world, app, now):
    from datetime import time, timedelta

    from wg.meetings.models import AgendaItem, Meeting, MeetingSeries, RuleKind
    from wg.meetings.services import new_uid

    with app.app_context():
        group_id = world["groups"]["SWG1.1"]
        meeting = Meeting(uid=new_uid(), group_id=group_id, title="Monthly",
                          start_at=now - timedelta(days=2), timezone="UTC",
                          minutes_md="Draft minutes", minutes_html="<p>Draft minutes</p>")
        db.session.add(meeting)
        db.session.flush()
        db.session.add(AgendaItem(meeting_id=meeting.id, title="Seizure data", position=1))
        series = MeetingSeries(group_id=group_id, title="Monthly", rule_kind=RuleKind.weekday,
                               week=2, weekday=1, start_time=time(13, 0), timezone="UTC",
                               first_date=now.date())
        db.session.add(series)
        db.session.commit()
        meeting_id, series_id = meeting.id, series.id
    as_member = api("member").get(f"/api/v1/meetings/{meeting_id}")
    assert as_member.headers["ETag"].startswith(f'"meeting-{meeting_id}-v')
    member_view = as_member.get_json()
    assert member_view["minutes_md"] is None and member_view["agenda"] == []
    chair_view = api("chair").get(f"/api/v1/meetings/{meeting_id}").get_json()
    assert chair_view["minutes_md"] == "Draft minutes"
    assert [i["title"] for i in chair_view["agenda"]] == ["Seizure data"]
    assert api("outsider").get(f"/api/v1/meetings/{meeting_id}").status_code == 403
    assert api("member").get(f"/api/v1/series/{series_id}").get_json()["weekday"] == 1
    assert [s["id"] for s in api("member").get("/api/v1/groups/swg1-1/series")
            .get_json()["items"]] == [series_id]
    assert api("outsider").get("/api/v1/groups/swg1-1/series").status_code == 403


def test_participant_rollup_with_month_end_trend(api, world, app):
    from datetime import UTC, date, datetime

    from tests import factories
    from wg.actions import services as actions
    from wg.groups.models import Group
    from wg.participants.models import Participant

    with app.app_context():
        group = db.session.get(Group, world["groups"]["SWG1.1"])
        mex = db.session.query(Participant).filter_by(code="MEX").one()
        action = factories.action(group, title="Mexican lab data", participants=[mex],
                                  weight=2, now=datetime(2026, 1, 5, tzinfo=UTC))
        actions.record_progress(action, None, "in_progress", 40, "", None,
                                datetime(2026, 2, 10, tzinfo=UTC))
        db.session.commit()
    body = api("lead").get("/api/v1/rollups/participants/mex").get_json()
    assert body["participant_code"] == "MEX"
    assert body["figures"]["total"] == 1 and body["figures"]["weighted_sum"] == 80
    by_month = {p["month"]: p["figures"] for p in body["trend"]}
    assert by_month["2025-12-01"]["total"] == 0
    assert by_month["2026-01-01"]["total"] == 1 and by_month["2026-01-01"]["weighted_sum"] == 0
    assert by_month["2026-02-01"]["weighted_sum"] == 80
    assert len(body["trend"]) == 18 and min(by_month) > date(2024, 1, 1).isoformat()
    listed = {r["participant_code"]: r for r in
              api("lead").get("/api/v1/rollups/participants").get_json()}
    assert listed["MEX"]["figures"] == body["figures"]  # the kept summary agrees
    assert api("member").get("/api/v1/rollups/participants/mex").status_code == 403
    assert api("lead").get("/api/v1/rollups/participants/zzz").status_code == 404
