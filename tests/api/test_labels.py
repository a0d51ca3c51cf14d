"""API writes set TLP labels: actions (create and edit), meetings and their minutes, decisions
(record and relabel); validated (422 with a reason), version-checked (If-Match), read back."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from wg.extensions import db
from wg.history.models import HistoryEntry
from wg.meetings import services as meetings


@pytest.fixture()
def meeting_id(app, world):
    with app.app_context():
        from wg.groups.models import Group

        group = db.session.get(Group, world["groups"]["SWG1.1"])
        m = meetings.add_extra_meeting(group, world.person("chair"), meetings.MeetingInput(
            title="Label meeting", day=date(2026, 3, 10), start_time=time(14, 0),
            timezone="Europe/Vienna", duration_minutes=90, place="Online", video_url=""),
            datetime(2026, 3, 1, tzinfo=UTC))
        db.session.commit()
        return m.id


ACTION = {"title": "Labelled action", "due_date": "2026-06-30"}


def test_action_label_on_create_and_edit(api, world):
    chair = api("chair")
    created = chair.post("/api/v1/groups/swg1-1/actions", json=dict(ACTION, sensitivity="AMBER"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["sensitivity"] == "TLP:AMBER"
    path, tag = created.headers["Location"], created.headers["ETag"]
    # Omitted: kept. The TLP spelling is accepted too.
    kept = chair.put(path, json=dict(ACTION, title="Renamed"), headers={"If-Match": tag})
    assert kept.status_code == 200 and kept.get_json()["sensitivity"] == "TLP:AMBER"
    red = chair.put(path, json=dict(ACTION, sensitivity="TLP:RED"),
                    headers={"If-Match": kept.headers["ETag"]})
    assert red.status_code == 200 and red.get_json()["sensitivity"] == "TLP:RED"
    # A stale ETag saves nothing (412), a bad value is refused with the field named (422).
    stale = chair.put(path, json=dict(ACTION, sensitivity="CLEAR"), headers={"If-Match": tag})
    assert stale.status_code == 412
    bad = chair.put(path, json=dict(ACTION, sensitivity="PURPLE"),
                    headers={"If-Match": red.headers["ETag"]})
    assert bad.status_code == 422
    assert "sensitivity" in bad.get_json()["errors"]
    assert chair.get(path).get_json()["sensitivity"] == "TLP:RED"


def test_meeting_and_minutes_labels(api, app, meeting_id):
    chair = api("chair")
    path = f"/api/v1/meetings/{meeting_id}"
    tag = chair.get(path).headers["ETag"]
    labels = f"{path}/labels"
    assert chair.put(labels, json={"sensitivity": "AMBER"}).status_code == 428
    done = chair.put(labels, json={"sensitivity": "AMBER", "minutes_sensitivity": "RED"},
                     headers={"If-Match": tag})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["sensitivity"], body["minutes_sensitivity"]) == ("TLP:AMBER", "TLP:RED")
    assert chair.put(labels, json={"sensitivity": "GREEN"},
                     headers={"If-Match": tag}).status_code == 412
    bad = chair.put(labels, json={"minutes_sensitivity": "BLACK"},
                    headers={"If-Match": done.headers["ETag"]})
    assert bad.status_code == 422 and "minutes_sensitivity" in bad.get_json()["errors"]
    # A member may read but not label.
    assert api("member").put(labels, json={"sensitivity": "CLEAR"},
                             headers={"If-Match": done.headers["ETag"]}).status_code == 403
    got = chair.get(path).get_json()
    assert (got["sensitivity"], got["minutes_sensitivity"]) == ("TLP:AMBER", "TLP:RED")
    with app.app_context():
        entry = db.session.scalar(select(HistoryEntry).where(
            HistoryEntry.object_type == "meeting", HistoryEntry.verb == "sensitivity_changed"))
        assert entry is not None


def test_decision_label_on_record_and_relabel(api, meeting_id):
    chair = api("chair")
    recorded = chair.post(f"/api/v1/meetings/{meeting_id}/decisions",
                          json={"text": "Share the list.", "sensitivity": "AMBER"})
    assert recorded.status_code == 201, recorded.get_json()
    decision = recorded.get_json()
    assert decision["sensitivity"] == "TLP:AMBER"
    path = f"/api/v1/decisions/{decision['id']}"
    read = chair.get(path)
    assert read.status_code == 200 and read.get_json()["sensitivity"] == "TLP:AMBER"
    tag = read.headers["ETag"]
    relabelled = chair.put(f"{path}/label", json={"sensitivity": "TLP:CLEAR"},
                           headers={"If-Match": tag})
    assert relabelled.status_code == 200, relabelled.get_json()
    assert relabelled.get_json()["sensitivity"] == "TLP:CLEAR"
    assert relabelled.get_json()["text"] == "Share the list."
    assert chair.put(f"{path}/label", json={"sensitivity": "RED"},
                     headers={"If-Match": tag}).status_code == 412
    bad = chair.post(f"/api/v1/meetings/{meeting_id}/decisions",
                     json={"text": "Another.", "sensitivity": "amber-ish"})
    assert bad.status_code == 422 and "sensitivity" in bad.get_json()["errors"]
    listed = chair.get(f"/api/v1/meetings/{meeting_id}").get_json()["decisions"]
    assert [d["sensitivity"] for d in listed] == ["TLP:CLEAR"]
