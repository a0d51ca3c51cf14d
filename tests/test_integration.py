"""Where meetings and actions meet: origin meetings, agenda carry-over, reporting cycles."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests import factories
from tests.meetings.helpers import meeting_input
from wg.actions import queries as action_queries
from wg.actions import services as actions
from wg.errors import ValidationError
from wg.extensions import db
from wg.meetings import services as meetings

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _meeting(c, day=date(2026, 3, 3), code="SWG1.1"):
    return meetings.add_extra_meeting(
        c["groups"][code], c["people"]["chair"],
        meeting_input(title="March meeting", day=day, start_time=time(14, 0)), NOW - timedelta(days=30))


def test_action_from_a_meeting_is_linked_both_ways(ctx):
    c = factories.coalition()
    meeting = _meeting(c)
    data = actions.ActionInput(title="Draft the alert protocol", due_date=date(2026, 6, 1),
                               origin_meeting_id=str(meeting.id))
    action = actions.create_action(c["groups"]["SWG1.1"], c["people"]["chair"], data, NOW)
    assert action.origin_meeting is meeting
    assert meetings.actions_from_meeting(meeting) == [action]
    assert action in meetings.open_actions_for_backlog(c["groups"]["SWG1.1"], NOW)


def test_origin_meeting_must_belong_to_the_group(ctx):
    c = factories.coalition()
    other = meetings.add_extra_meeting(
        c["groups"]["SWG3.2"], c["people"]["chair"],
        meeting_input(title="Other group's meeting"), NOW - timedelta(days=30))
    data = actions.ActionInput(title="X", due_date=date(2026, 6, 1), origin_meeting_id=other.id)
    with pytest.raises(ValidationError) as exc:
        actions.create_action(c["groups"]["SWG1.1"], c["people"]["chair"], data, NOW)
    assert "meetings of SWG1.1" in exc.value.errors["origin_meeting_id"]


def test_cycle_starts_at_the_last_meeting(ctx):
    c = factories.coalition()
    group = c["groups"]["SWG1.1"]
    assert action_queries.cycle_start(group, NOW) == datetime(2026, 3, 1, tzinfo=UTC)
    meeting = _meeting(c, day=date(2026, 3, 3))
    assert action_queries.cycle_start(group, NOW) == meeting.start_at
    _meeting(c, day=date(2026, 3, 20))  # a future meeting does not start the cycle
    assert action_queries.cycle_start(group, NOW) == meeting.start_at


def test_new_action_page_prefilled_from_the_meeting(app, login):
    with app.app_context():
        c = factories.coalition()
        meeting = _meeting(c)
        db.session.commit()
        meeting_id, chair, member = meeting.id, c["people"]["chair"].email, c["people"]["member"].email
    web = login(chair)
    page = web.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"/actions/new/swg1-1?meeting={meeting_id}" in page
    form = web.get(f"/actions/new/swg1-1?meeting={meeting_id}").get_data(as_text=True)
    assert f'<option selected value="{meeting_id}">' in form or f'value="{meeting_id}" selected' in form
    response = web.post("/actions/new/swg1-1", {"title": "Circulate the minutes", "due_date": "2026-05-01",
                                                "weight": "1", "status": "open", "progress": "0",
                                                "origin_meeting_id": str(meeting_id)},
                        form_page="/actions/new/swg1-1")
    assert response.status_code == 302
    page = web.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Circulate the minutes" in page
    with app.app_context():
        from wg.actions.models import ActionItem

        action = db.session.query(ActionItem).one()
        assert action.origin_meeting_id == meeting_id
    assert member


def test_home_page_counts_my_open_and_overdue_actions(app, login):
    with app.app_context():
        c = factories.coalition()
        g, p = c["groups"], c["people"]
        factories.action(g["SWG1.1"], "Late one", owner=p["member"], actor=p["chair"], due_date=date(2020, 1, 1))
        factories.action(g["SWG1.1"], "On time", owner=p["member"], actor=p["chair"], due_date=date(2099, 1, 1))
        db.session.commit()
    page = login("member@example.org").get("/").get_data(as_text=True)
    assert "2 open actions</a>" in page and "<strong>1 overdue</strong>" in page
