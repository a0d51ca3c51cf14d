"""A decision is recorded once taken: never dated after today, and it supersedes only a decision
taken on or before its own date (form, service and API)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests import factories
from tests.api.conftest import api, world  # noqa: F401  (fixtures)
from tests.meetings.helpers import meeting_input
from wg.db_types import utcnow
from wg.decisions import services as decisions
from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import services as meetings


def _record(group, actor, now, day, **kw):
    return decisions.record_decision(group, actor, decisions.DecisionInput(
        text="Adopt the watch list", decided_on=day, **kw), now)


def test_a_future_date_is_refused_beside_the_date(ctx, now):
    c = factories.coalition()
    group, chair = c["groups"]["SWG1.1"], c["people"]["chair"]
    with pytest.raises(ValidationError) as refused:
        _record(group, chair, now, now.date() + timedelta(days=1))
    assert "cannot be dated in the future" in refused.value.errors["decided_on"]
    assert "10 Mar 2026" in refused.value.errors["decided_on"]
    assert _record(group, chair, now, now.date()).reference == "SWG1.1-2026/1"


def test_a_meeting_not_yet_held_takes_no_decision(ctx, now):
    c = factories.coalition()
    group, chair = c["groups"]["SWG1.1"], c["people"]["chair"]
    later = meetings.add_extra_meeting(group, chair, meeting_input(day=date(2026, 3, 20)), now)
    with pytest.raises(ValidationError) as refused:
        meetings.add_decision(later, chair, "Adopt it", now)
    assert "has not taken place yet" in refused.value.errors["decided_on"]
    # Held in Tokyo on 11 March (local), while it is still 10 March in UTC: its day is fine.
    tokyo = meetings.add_extra_meeting(group, chair, meeting_input(
        day=date(2026, 3, 11), start_time=time(1, 0), timezone="Asia/Tokyo"), now)
    after = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert meetings.add_decision(tokyo, chair, "Adopt it", after).decided_on == date(2026, 3, 11)


def test_supersedes_only_an_earlier_or_same_day_decision(ctx, now):
    c = factories.coalition()
    group, chair = c["groups"]["SWG1.1"], c["people"]["chair"]
    newer = _record(group, chair, now, date(2026, 3, 5))
    with pytest.raises(ValidationError) as refused:
        _record(group, chair, now, date(2026, 3, 1), supersedes_id=newer.id)
    message = refused.value.errors["supersedes_id"]
    assert "SWG1.1-2026/1" in message and "on or before its own date" in message
    same_day = _record(group, chair, now, date(2026, 3, 5), supersedes_id=newer.id)
    assert same_day.supersedes_id == newer.id


def test_the_form_shows_the_refusal_beside_the_date(app, login):
    with app.app_context():
        c = factories.coalition()
        db.session.commit()
        email = c["people"]["chair"].email
    chair = login(email)
    path = "/decisions/new?group=swg1-1"
    future = (utcnow().date() + timedelta(days=2)).isoformat()
    response = chair.post(path, {"text": "Adopt it", "decided_on": future,
                                 "idempotency_key": "k-future-1234"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot be dated in the future" in page
    assert 'id="decided_on-error"' in page or 'aria-describedby="decided_on' in page
    assert "/2031/" not in chair.get("/decisions/").get_data(as_text=True)


def test_the_api_refuses_a_decision_of_a_meeting_not_yet_held(app, api, world):  # noqa: F811
    with app.app_context():
        from wg.groups.models import Group

        group = db.session.get(Group, world["groups"]["SWG1.1"])
        meeting = meetings.add_extra_meeting(group, world.person("chair"), meeting_input(
            day=utcnow().date() + timedelta(days=30)), utcnow())
        db.session.commit()
        meeting_id = meeting.id
    refused = api("chair").post(f"/api/v1/meetings/{meeting_id}/decisions",
                                json={"text": "Share the list."})
    assert refused.status_code == 422
    assert "has not taken place yet" in str(refused.get_json()["errors"])
