"""API guard rails (issue 12): minutes before the meeting ends and over-long text are refused
with a reason (problem+json), never saved or cut."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.meetings.helpers import meeting_input
from wg.db_types import utcnow
from wg.extensions import db
from wg.groups.models import Group
from wg.meetings import services as meetings
from wg.meetings.models import AgendaItem, Meeting


@pytest.fixture()
def future_meeting(app, world):
    with app.app_context():
        group = db.session.get(Group, world["groups"]["SWG1.1"])
        meeting = meetings.add_extra_meeting(group, world.person("chair"), meeting_input(
            day=(utcnow() + timedelta(days=10)).date()), utcnow())
        db.session.commit()
        mid = meeting.id
        db.session.remove()
    return mid


def test_publishing_minutes_before_the_meeting_ends_is_refused(api, app, future_meeting):
    chair = api("chair")
    path = f"/api/v1/meetings/{future_meeting}"
    tag = chair.get(path).headers["ETag"]
    refused = chair.put(f"{path}/minutes", json={"minutes_md": "We met.", "publish": True},
                        headers={"If-Match": tag})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert "once the meeting has ended" in body["errors"]["minutes"][0]
    with app.app_context():
        meeting = db.session.get(Meeting, future_meeting)
        assert meeting.minutes_md == "" and meeting.minutes_published_at is None
    # A draft is allowed before the meeting.
    draft = chair.put(f"{path}/minutes", json={"minutes_md": "Draft"},
                      headers={"If-Match": tag})
    assert draft.status_code == 200, draft.get_json()
    assert draft.get_json()["minutes_published_at"] is None


def test_overlong_agenda_title_is_refused_with_the_limit(api, app, future_meeting):
    chair = api("chair")
    refused = chair.post(f"/api/v1/meetings/{future_meeting}/agenda",
                         json={"title": "T" * 5000}, headers={"Idempotency-Key": "long-1"})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "300" in str(refused.get_json()["errors"])
    with app.app_context():
        assert db.session.scalar(select(func.count(AgendaItem.id))) == 0
    exact = chair.post(f"/api/v1/meetings/{future_meeting}/agenda",
                       json={"title": "T" * 300}, headers={"Idempotency-Key": "long-2"})
    assert exact.status_code == 201 and exact.get_json()["title"] == "T" * 300
