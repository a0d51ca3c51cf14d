"""Initiatives: the rules of the service, and the rollup against hand-computed figures."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import factories
from wg import idempotency
from wg.actions import services as actions
from wg.errors import ValidationError
from wg.extensions import db
from wg.history import services as history
from wg.initiatives import services as initiatives
from wg.participants.models import Participant

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _input(group, leads, **kw):
    values = dict(title="Detecting production sites", goal_md="Find *labs* sooner.",
                  group_id=group.id, lead_ids=[p.id for p in leads], start_date=date(2024, 9, 24))
    values.update(kw)
    return initiatives.InitiativeInput(**values)


def _world():
    c = factories.coalition()
    mex = db.session.scalar(select(Participant).where(Participant.code == "MEX"))
    return c, mex


def test_create_checks_line_of_effort_leads_and_period(ctx):
    c, mex = _world()
    g, coordinator = c["groups"], c["people"]["coordinator"]
    with pytest.raises(ValidationError) as err:
        initiatives.create_initiative(coordinator, _input(
            g["SWG1.1"], [], end_date=date(2024, 1, 1)), NOW)
    assert {"group_id", "lead_ids", "end_date"} <= set(err.value.errors)
    with pytest.raises(ValidationError) as err:
        initiatives.create_initiative(coordinator, _input(
            g["WG1"], [mex], subgroup_ids=[g["SWG3.2"].id]), NOW)
    assert "subgroup_ids" in err.value.errors
    i = initiatives.create_initiative(coordinator, _input(
        g["WG1"], [mex], subgroup_ids=[g["SWG1.1"].id]), NOW)
    assert "<em>labs</em>" in i.goal_html and [s.code for s in i.subgroups] == ["SWG1.1"]
    assert [e.verb for e in history.entries_for("initiative", i.id)] == ["created"]


def test_edit_is_version_checked_and_recorded(ctx):
    c, mex = _world()
    g, coordinator = c["groups"], c["people"]["coordinator"]
    i = initiatives.create_initiative(coordinator, _input(g["WG1"], [mex]), NOW)
    assert initiatives.update_initiative(i, coordinator, _input(g["WG1"], [mex], status="paused"),
                                         NOW, expected_version=1)
    assert i.version == 2
    with pytest.raises(history.StaleEdit):
        initiatives.update_initiative(i, coordinator, _input(g["WG1"], [mex], title="X"), NOW,
                                      expected_version=1)
    entry = history.entries_for("initiative", i.id)[-1]
    assert entry.verb == "updated" and history.changes_of(entry) == {"status": ["active", "paused"]}


def test_links_stay_in_the_line_of_effort_and_repeat_once(ctx):
    c, mex = _world()
    g, coordinator = c["groups"], c["people"]["coordinator"]
    i = initiatives.create_initiative(coordinator, _input(g["WG1"], [mex]), NOW)
    inside, outside = factories.action(g["SWG1.2"]), factories.action(g["SWG3.2"])
    assert initiatives.link_action(i, coordinator, inside, NOW, key="link-key-0001")
    with pytest.raises(idempotency.AlreadyDone):
        initiatives.link_action(i, coordinator, inside, NOW, key="link-key-0001")
    assert initiatives.link_action(i, coordinator, inside, NOW) is False
    with pytest.raises(ValidationError):
        initiatives.link_action(i, coordinator, outside, NOW)
    assert initiatives.initiatives_of_action(inside) == [i]
    assert initiatives.unlink_action(i, coordinator, inside, NOW) and i.actions == []


STATUSES = ["open", "in_progress", "blocked", "done", "dropped"]
action_st = st.fixed_dictionaries({
    "group": st.sampled_from(["WG1", "SWG1.1", "SWG1.2"]),
    "weight": st.integers(1, 20),
    "status": st.sampled_from(STATUSES),
    "progress": st.integers(0, 100),
    "due_offset": st.integers(-90, 90),
    "created_days_ago": st.integers(0, 90),
    "linked": st.booleans(),
})


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(action_st, max_size=8))
def test_rollup_equals_hand_computed_figures(ctx, specs):
    """Percent complete, counts, overdue and stale of an initiative equal a hand computation
    over its linked actions only (done counts 100, dropped left out, rounding half up)."""
    from wg.groups.models import Group

    if db.session.scalar(select(Group.id).where(Group.code == "WG1")) is None:
        _world()
        db.session.commit()
    groups = {g.code: g for g in db.session.scalars(select(Group))}
    mex = db.session.scalar(select(Participant).where(Participant.code == "MEX"))
    i = initiatives.create_initiative(None, _input(groups["WG1"], [mex]), NOW)
    linked = []
    for spec in specs:
        created = NOW - timedelta(days=spec["created_days_ago"], minutes=5)
        a = actions.create_action(groups[spec["group"]], None, actions.ActionInput(
            title="t", due_date=NOW.date() + timedelta(days=spec["due_offset"]),
            weight=spec["weight"], status=spec["status"], progress=spec["progress"],
            note="start"), created)
        if spec["linked"]:
            initiatives.link_action(i, None, a, NOW)
            linked.append((spec, created))
    db.session.flush()

    counted = [(s, c) for s, c in linked if s["status"] != "dropped"]
    weights = sum(s["weight"] for s, _ in counted)
    weighted = sum(s["weight"] * (100 if s["status"] == "done" else s["progress"])
                   for s, _ in counted)
    expected_percent = None
    if weights:
        exact = Fraction(weighted, weights)
        tenths = int(exact * 10 + Fraction(1, 2))  # half up, to one decimal
        expected_percent = tenths / 10
    open_ones = [(s, c) for s, c in counted if s["status"] != "done"]
    expected_overdue = sum(1 for s, _ in open_ones if s["due_offset"] < 0)
    expected_stale = sum(1 for _s, c in open_ones if c < NOW - timedelta(days=30))

    f = initiatives.rollup(i, NOW.date(), NOW)
    assert f.total == len(counted)
    assert f.n_done == sum(1 for s, _ in counted if s["status"] == "done")
    assert (f.weight_sum, f.weighted_sum) == (weights, weighted)
    assert f.percent_complete == expected_percent
    assert f.overdue == expected_overdue
    assert f.stale == expected_stale
    # The list page's batched figures agree with the detail page's.
    assert initiatives.rollups_for([i], NOW.date(), NOW)[i.id].as_tuple() == f.as_tuple()
    db.session.rollback()


def test_a_repeated_create_form_creates_one(ctx):
    from wg.initiatives.models import Initiative

    c, mex = _world()
    data = _input(c["groups"]["WG2"], [mex])
    initiatives.create_initiative(c["people"]["coordinator"], data, NOW, key="create-key-01")
    db.session.commit()
    with pytest.raises(idempotency.AlreadyDone):
        initiatives.create_initiative(c["people"]["coordinator"], data, NOW, key="create-key-01")
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Initiative)) == 1
