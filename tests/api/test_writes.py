"""Writes through the services: If-Match, 412 with the current state, Idempotency-Key."""

from datetime import date

from wg.actions.models import ActionItem, ProgressLog
from wg.extensions import db
from wg.idempotency import IdempotencyKey


def _etag(client, action_id):
    return client.get(f"/api/v1/actions/{action_id}").headers["ETag"]


def test_record_progress_with_if_match(api, world, app):
    member, action_id = api("member"), world["action_id"]
    tag = _etag(member, action_id)
    response = member.post(f"/api/v1/actions/{action_id}/progress",
                           json={"status": "in_progress", "progress": 40, "note": "Halfway"},
                           headers={"If-Match": tag})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "in_progress" and body["progress"] == 40 and body["version"] == 2
    assert response.headers["ETag"] == f'"action-{action_id}-v2"'
    assert [e["note"] for e in body["progress_entries"]] == ["Halfway"]
    with app.app_context():
        log = db.session.query(ProgressLog).one()
        assert log.author_id == world["people"]["member"]
        from wg.api.models import ApiToken
        from wg.history.models import HistoryEntry

        entry = db.session.query(HistoryEntry).filter_by(verb="progress").one()
        token = db.session.get(ApiToken, entry.token_id)
        assert token is not None and token.person_id == world["people"]["member"]
        assert "(API token " in entry.actor_label


def test_two_writers_with_the_same_etag_one_200_one_412(api, world, app):
    action_id = world["action_id"]
    first, second = api("member"), api("chair")
    tag = _etag(first, action_id)
    ok = first.post(f"/api/v1/actions/{action_id}/progress",
                    json={"status": "in_progress", "progress": 30}, headers={"If-Match": tag})
    late = second.post(f"/api/v1/actions/{action_id}/progress",
                       json={"status": "blocked", "progress": 30, "note": "Waiting"},
                       headers={"If-Match": tag})
    assert ok.status_code == 200
    assert late.status_code == 412 and late.mimetype == "application/problem+json"
    problem = late.get_json()
    assert problem["current"]["progress"] == 30 and problem["current"]["version"] == 2
    assert late.headers["ETag"] == f'"action-{action_id}-v2"'
    with app.app_context():
        assert db.session.query(ProgressLog).count() == 1


def test_a_repeated_idempotency_key_writes_once_and_answers_the_first_result(api, world, app):
    member, action_id = api("member"), world["action_id"]
    tag = _etag(member, action_id)
    request = dict(json={"status": "in_progress", "progress": 10, "note": "Started"},
                   headers={"If-Match": tag, "Idempotency-Key": "sync-2026-03-10-1"})
    first = member.post(f"/api/v1/actions/{action_id}/progress", **request)
    again = member.post(f"/api/v1/actions/{action_id}/progress", **request)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.query(ProgressLog).count() == 1
        assert db.session.query(IdempotencyKey).count() == 1
    other = member.post(f"/api/v1/actions/{action_id}/progress",
                        json={"status": "done", "progress": 100},
                        headers={"If-Match": tag, "Idempotency-Key": "sync-2026-03-10-1"})
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]


def test_create_action_is_idempotent_and_for_chairs(api, world, app):
    body = {"title": "Map precursor routes", "due_date": "2026-09-30", "weight": 2,
            "participants": ["MEX"], "owner_id": world["people"]["member"]}
    headers = {"Idempotency-Key": "create-1"}
    assert api("member").post("/api/v1/groups/swg1-1/actions", json=body).status_code == 403
    chair = api("chair")
    first = chair.post("/api/v1/groups/swg1-1/actions", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = chair.post("/api/v1/groups/swg1-1/actions", json=body, headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert first.headers["Location"].endswith(f"/api/v1/actions/{first.get_json()['id']}")
    with app.app_context():
        assert db.session.query(ActionItem).filter_by(title="Map precursor routes").count() == 1
    bad = chair.post("/api/v1/groups/swg1-1/actions",
                     json={"title": "x", "due_date": "2026-09-30", "participants": ["ZZZ"]})
    assert bad.status_code == 422 and "participants" in bad.get_json()["errors"]
    missing = chair.post("/api/v1/groups/swg1-1/actions", json={"title": "x"})
    assert missing.status_code == 422 and "due_date" in missing.get_json()["errors"]


def test_edit_action_needs_current_etag(api, world, app):
    chair, action_id = api("chair"), world["action_id"]
    body = {"title": "Share seizure data monthly", "due_date": "2026-07-31"}
    assert chair.put(f"/api/v1/actions/{action_id}", json=body).status_code == 428
    tag = _etag(chair, action_id)
    ok = chair.put(f"/api/v1/actions/{action_id}", json=body, headers={"If-Match": tag})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["title"] == "Share seizure data monthly"
    stale = chair.put(f"/api/v1/actions/{action_id}", json=body, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert api("member").put(f"/api/v1/actions/{action_id}", json=body,
                             headers={"If-Match": ok.headers["ETag"]}).status_code == 403
    with app.app_context():
        assert db.session.get(ActionItem, action_id).due_date == date(2026, 7, 31)


def test_rsvp(api, world, app, now):
    from datetime import timedelta

    from wg.groups.models import Group
    from wg.meetings.models import Meeting
    from wg.meetings.services import new_uid

    with app.app_context():
        group = db.session.get(Group, world["groups"]["SWG1.1"])
        meeting = Meeting(uid=new_uid(), group_id=group.id, title="Monthly",
                          start_at=now + timedelta(days=3650), timezone="UTC")
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
    response = api("member").put(f"/api/v1/meetings/{meeting_id}/rsvp", json={"answer": "yes"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["answer"] == "yes"
    detail = api("member").get(f"/api/v1/meetings/{meeting_id}").get_json()
    assert detail["my_rsvp"] == "yes" and detail["agenda"] == []
    assert api("lead").put(f"/api/v1/meetings/{meeting_id}/rsvp",
                           json={"answer": "yes"}).status_code == 403
    listed = api("member").get("/api/v1/groups/swg1-1/meetings?status=scheduled").get_json()
    assert [m["id"] for m in listed["items"]] == [meeting_id]


def test_concurrent_repeats_of_one_idempotency_key_write_once(api, world, app):
    """Two copies of one request at the same moment: one write, both get its answer."""
    import threading

    action_id = world["action_id"]
    tag = _etag(api("member"), action_id)
    barrier = threading.Barrier(2)
    results = []

    def send():
        client = api("member")
        barrier.wait()
        results.append(client.post(
            f"/api/v1/actions/{action_id}/progress",
            json={"status": "in_progress", "progress": 20, "note": "Both at once"},
            headers={"If-Match": tag, "Idempotency-Key": "twice-at-once"}))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status_code for r in results] == [200, 200], [r.get_json() for r in results]
    assert results[0].get_json() == results[1].get_json()
    with app.app_context():
        assert db.session.query(ProgressLog).count() == 1
