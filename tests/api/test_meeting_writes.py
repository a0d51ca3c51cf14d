"""API writes on meetings: agenda items, publishing, attendance, minutes, decisions — through
the meeting services, with If-Match (428/412), Idempotency-Key and the token in the history."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from wg.extensions import db
from wg.history.models import HistoryEntry
from wg.meetings import services as meetings
from wg.meetings.models import AgendaItem, Decision, Meeting, MeetingStatus


@pytest.fixture()
def meeting_id(app, world):
    with app.app_context():
        chair = world.person("chair")
        from wg.groups.models import Group

        group = db.session.get(Group, world["groups"]["SWG1.1"])
        m = meetings.add_extra_meeting(group, chair, meetings.MeetingInput(
            title="March meeting", day=date(2026, 3, 10), start_time=time(14, 0),
            timezone="Europe/Vienna", duration_minutes=90, place="Online", video_url=""),
            datetime(2026, 3, 1, tzinfo=UTC))
        db.session.commit()
        mid = m.id
        db.session.remove()
    return mid


def _tag(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_json()
    return response.headers["ETag"]


def test_agenda_items_add_edit_delete_with_if_match_and_idempotency(api, app, meeting_id):
    chair = api("chair")
    base = f"/api/v1/meetings/{meeting_id}/agenda"
    body = {"title": "Precursor seizures", "presenter": "UNODC", "minutes_allotted": 20}
    first = chair.post(base, json=body, headers={"Idempotency-Key": "agenda-1"})
    assert first.status_code == 201, first.get_json()
    item = first.get_json()
    assert item["title"] == "Precursor seizures" and item["position"] == 1
    again = chair.post(base, json=body, headers={"Idempotency-Key": "agenda-1"})
    assert again.status_code == 201 and again.get_json() == item
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.scalar(select(func.count(AgendaItem.id))) == 1

    path = first.headers["Location"]
    tag = _tag(chair, path)
    assert tag == f'"agenda_item-{item["id"]}-v1"'
    assert chair.put(path, json=dict(body, title="No If-Match")).status_code == 428
    edited = chair.put(path, json=dict(body, title="Precursor seizures 2025", is_done=True),
                       headers={"If-Match": tag})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["title"] == "Precursor seizures 2025"
    assert edited.get_json()["is_done"] is True
    late = chair.put(path, json=dict(body, title="Stale"), headers={"If-Match": tag})
    assert late.status_code == 412 and late.mimetype == "application/problem+json"
    assert late.get_json()["current"]["title"] == "Precursor seizures 2025"
    invalid = chair.put(path, json=dict(body, link="ftp://x"),
                        headers={"If-Match": edited.headers["ETag"]})
    assert invalid.status_code == 422 and "link" in invalid.get_json()["errors"]

    # Members read but do not write; read-only tokens do not write.
    assert api("member").post(base, json=body).status_code == 403
    assert api("member_read").post(base, json=body).status_code == 403
    assert api("outsider").get(path).status_code == 403

    gone = chair.open(path, "DELETE", headers={"If-Match": edited.headers["ETag"]})
    assert gone.status_code == 204
    assert chair.open(path, "DELETE", headers={"If-Match": "*"}).status_code == 404
    with app.app_context():
        entries = db.session.scalars(select(HistoryEntry).where(
            HistoryEntry.object_type == "agenda_item")).all()
        assert {e.verb for e in entries} == {"created", "updated", "deleted"}
        assert all(e.token_id is not None and "(API token chair sync)" in e.actor_label
                   for e in entries)


def test_publish_attendance_minutes_and_decisions(api, app, world, meeting_id):
    chair = api("chair")
    meeting_path = f"/api/v1/meetings/{meeting_id}"
    chair.post(f"{meeting_path}/agenda", json={"title": "Trends"})
    tag = _tag(chair, meeting_path)
    published = chair.post(f"{meeting_path}/agenda/publish", headers={"If-Match": tag})
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["agenda_published_at"] is not None
    assert chair.post(f"{meeting_path}/agenda/publish",
                      headers={"If-Match": tag}).status_code == 412

    tag = published.headers["ETag"]
    member_id = world["people"]["member"]
    unknown = chair.put(f"{meeting_path}/attendance",
                        json={"person_ids": [member_id], "participants": ["XXX"]},
                        headers={"If-Match": tag})
    assert unknown.status_code == 422 and "participants" in unknown.get_json()["errors"]
    outsider = chair.put(f"{meeting_path}/attendance",
                         json={"person_ids": [world["people"]["outsider"]]},
                         headers={"If-Match": tag})
    assert outsider.status_code == 422
    attended = chair.put(f"{meeting_path}/attendance",
                         json={"person_ids": [member_id], "participants": ["UNODC"]},
                         headers={"If-Match": tag})
    assert attended.status_code == 200, attended.get_json()
    body = attended.get_json()
    assert body["status"] == "held" and body["attendance"]["person_ids"] == [member_id]

    tag = attended.headers["ETag"]
    saved = chair.put(f"{meeting_path}/minutes",
                      json={"minutes_md": "# Minutes\n\nWe met.", "publish": True},
                      headers={"If-Match": tag})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["minutes_published_at"] is not None
    assert "<h1>Minutes</h1>" in saved.get_json()["minutes_html"]
    stale = chair.put(f"{meeting_path}/minutes", json={"minutes_md": "Overwrite"},
                      headers={"If-Match": tag})
    assert stale.status_code == 412
    assert stale.get_json()["current"]["minutes_published_at"] is not None

    decision = {"text": "Share the seizure data monthly."}
    made = chair.post(f"{meeting_path}/decisions", json=decision,
                      headers={"Idempotency-Key": "decision-1"})
    repeat = chair.post(f"{meeting_path}/decisions", json=decision,
                        headers={"Idempotency-Key": "decision-1"})
    assert made.status_code == 201 and repeat.get_json() == made.get_json()
    assert made.get_json()["reference"].endswith("/1") and made.get_json()["status"] == "open"
    assert api("member").post(f"{meeting_path}/decisions", json=decision).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Decision.id))) == 1
        m = db.session.get(Meeting, meeting_id)
        assert m.status is MeetingStatus.held and m.minutes_md.startswith("# Minutes")
        verbs = set(db.session.scalars(select(HistoryEntry.verb).where(
            HistoryEntry.object_type == "meeting", HistoryEntry.object_id == meeting_id,
            HistoryEntry.token_id.is_not(None))))
        assert {"agenda_published", "attendance_recorded", "minutes_edited",
                "minutes_published"} <= verbs
