"""rollup_owners (open and all actions, latest entry per group and owner) stays exact through
every action change, "who has not reported" read from it agrees with a count over the actions,
the cycle starts of several groups come from one statement, and the line of effort page shows
the silent owners a page at a time."""

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, update

from tests import factories as f
from tests.meetings.helpers import make_series
from wg.actions import services as actions
from wg.actions.models import OPEN_STATUSES, ActionItem
from wg.actions.queries import cycle_start
from wg.auth.models import Person
from wg.extensions import db
from wg.meetings.models import Meeting
from wg.meetings.services.schedule import cancel_meeting
from wg.rollups import queries, summary
from wg.rollups.models import RollupOwner
from wg.rollups.services import OWNERS_PER_PAGE, not_reported

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def at(day, month=3, hour=9):
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _owners_by_recount(starts):
    """The unoptimized query: every action of the groups, grouped by owner."""
    A = ActionItem  # noqa: N806
    reported = or_(*[and_(A.group_id == gid, A.last_progress_at >= start)
                     for gid, start in starts.items()])
    n_open = func.sum(case((A.status.in_(OPEN_STATUSES), 1), else_=0))
    return sorted((pid, int(n), int(t), summary_time(last)) for pid, n, t, last in db.session.execute(
        select(Person.id, n_open, func.count(A.id), func.max(A.last_progress_at))
        .join(A, A.owner_id == Person.id).where(A.group_id.in_(list(starts)))
        .group_by(Person.id).having(n_open > 0, func.max(case((reported, 1), else_=0)) == 0)))


def summary_time(value):
    return ActionItem.last_progress_at.type.process_result_value(value, None)


def _kept(group_id, owner_id):
    row = db.session.execute(select(RollupOwner.n_open, RollupOwner.total,
                                    RollupOwner.last_progress_at).where(
        RollupOwner.group_id == group_id, RollupOwner.owner_id == owner_id)).one_or_none()
    return tuple(row) if row else None


def test_owner_rows_follow_progress_status_and_reassignment(ctx):
    w = f.coalition()
    g, chair, member = w["groups"]["SWG1.1"], w["people"]["chair"], w["people"]["member"]
    a = f.action(g, "A", owner=member, now=at(1, 2))
    b = f.action(g, "B", owner=member, now=at(1, 2))
    f.action(g, "C", owner=None, now=at(1, 2))  # nobody's: no row
    assert _kept(g.id, member.id) == (2, 2, None)
    actions.record_progress(a, chair, "in_progress", 30, "", None, at(3, 2))
    assert _kept(g.id, member.id) == (2, 2, at(3, 2))
    actions.record_progress(b, chair, "done", 100, "", None, at(5, 2))
    assert _kept(g.id, member.id) == (1, 2, at(5, 2))
    # A goes to the chair: the member keeps B (done, its entry on 5 Feb), the chair gets A with
    # its entry of 3 Feb.
    actions.update_action(a, chair, actions.ActionInput(
        title="A", owner_id=chair.id, due_date=date(2026, 6, 30), weight=1), a.version, at(6, 2))
    assert _kept(g.id, member.id) == (0, 1, at(5, 2))
    assert _kept(g.id, chair.id) == (1, 1, at(3, 2))
    # B goes to the chair too: the member's row is empty (left out of the check's comparison).
    actions.update_action(b, chair, actions.ActionInput(
        title="B", owner_id=chair.id, due_date=date(2026, 6, 30), weight=1), b.version, at(7, 2))
    assert _kept(g.id, member.id) == (0, 0, None)
    assert _kept(g.id, chair.id) == (1, 2, at(5, 2))
    actions.record_progress(b, chair, "in_progress", 50, "reopened", None, at(8, 2))
    assert _kept(g.id, chair.id) == (2, 2, at(8, 2))
    db.session.commit()
    assert summary.check() == []


def test_check_names_a_wrong_owner_row_and_rebuild_repairs_it(ctx):
    w = f.coalition()
    g, member = w["groups"]["SWG1.1"], w["people"]["member"]
    f.action(g, "A", owner=member, now=at(1, 2))
    db.session.commit()
    assert summary.check() == []
    db.session.execute(update(RollupOwner).values(n_open=RollupOwner.n_open + 1))
    problems = summary.check()
    assert len(problems) == 1 and problems[0].startswith("rollup_owners")
    assert summary.rebuild()["owners"] == 1
    assert summary.check() == [] and _kept(g.id, member.id) == (1, 1, None)


def test_silent_owners_agree_with_the_count_over_actions(ctx):
    """Random-ish owners, statuses and entries over WG1 and its sub-groups: the kept rows give
    the same owners, counts and last entries as grouping every action by owner."""
    w = f.coalition()
    groups = [w["groups"][code] for code in ("WG1", "SWG1.1", "SWG1.2")]
    chair = w["people"]["chair"]
    for g in groups[0], groups[2]:
        f.membership(chair, g, f.Role.chair)
    people = [f.person(f"Owner {i}", participant_code="MEX") for i in range(7)]
    for who in people:
        for g in groups:
            f.membership(who, g)
    for i in range(40):
        g = groups[i % 3]
        a = f.action(g, f"A{i}", owner=people[(i * 5) % 7] if i % 6 else None, now=at(1, 1))
        if i % 4:
            status = ("in_progress", "done", "blocked", "dropped")[i % 4]
            actions.record_progress(a, chair, status, 10 * (i % 9), "why", None,
                                    at(1 + i % 19, 2 + i % 2))
    db.session.commit()
    sizes = set()
    for g in groups:
        ids = queries.scope_ids(g, queries.all_groups())
        for day in (1, 10, 15, 25):
            starts = {gid: at(day + k, 3 - k % 2) for k, gid in enumerate(sorted(ids))}
            owners, _participants = queries.silent(starts)
            assert sorted((o.id, n, t, last) for o, n, t, last in owners) == \
                _owners_by_recount(starts)
            sizes.add(len(owners))
    assert len(sizes) > 2  # nobody, some and more owners silent were all compared


def test_cycle_starts_of_several_groups_agree_with_each_groups_own(ctx):
    w = f.coalition()
    chair = w["people"]["chair"]
    swg = w["groups"]["SWG1.1"]
    series = make_series(swg, chair, at(1, 1), first_date=date(2026, 1, 1))
    db.session.flush()
    groups = queries.all_groups()
    now = NOW
    assert queries.cycle_starts(groups, now) == {g.id: cycle_start(g, now) for g in groups}
    met = cycle_start(swg, now)
    assert met != now.replace(day=1, hour=0)  # SWG1.1 has met this month: not the 1st
    last = db.session.scalar(select(Meeting).where(Meeting.series_id == series.id,
                                                   Meeting.start_at == met))
    cancel_meeting(last, chair, "no quorum", now)
    db.session.flush()
    starts = queries.cycle_starts(groups, now)
    assert starts == {g.id: cycle_start(g, now) for g in groups}
    assert starts[swg.id] < met  # the cancelled one no longer opens the cycle
    assert queries.cycle_starts([], now) == {}


def test_line_of_effort_page_shows_silent_owners_a_page_at_a_time(app, login):
    count = OWNERS_PER_PAGE + 7
    with app.app_context():
        w = f.coalition()
        g = w["groups"]["SWG1.1"]
        people = [f.person(f"Quiet {i:03d}", participant_code="MEX") for i in range(count)]
        for who in people:
            f.membership(who, g)
        for i, who in enumerate(people):
            a = f.action(g, f"Q{i}", owner=who, now=NOW - timedelta(days=200))
            if i % 2:  # half reported long ago (i days before the cycle), half never
                actions.record_progress(a, w["people"]["chair"], "in_progress", 10, "", None,
                                        NOW - timedelta(days=60 + i))
        db.session.commit()
        expected = [q.who.name for q in not_reported(g, datetime.now(UTC)).owners]
        web = login(w["people"]["lead"])
    assert len(expected) == count
    first = web.get("/rollups/groups/swg1-1").get_data(as_text=True)
    quiet = first.split('id="quiet-owners"', 1)[1]
    assert f"Owners ({count})" in quiet
    names = re.findall(r"Quiet \d{3}", quiet)
    assert names == expected[:OWNERS_PER_PAGE]
    assert f"Owners 1–{OWNERS_PER_PAGE} of {count}" in quiet
    nxt = re.search(r'href="([^"]+)" rel="next"', quiet).group(1).replace("&amp;", "&")
    assert "owners=2" in nxt and nxt.endswith("#quiet-owners")
    second = web.get(nxt).get_data(as_text=True).split('id="quiet-owners"', 1)[1]
    assert re.findall(r"Quiet \d{3}", second) == expected[OWNERS_PER_PAGE:]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # Past the end: the last page; not a number: the first.
    assert re.findall(r"Quiet \d{3}", web.get("/rollups/groups/swg1-1?owners=99").get_data(
        as_text=True).split('id="quiet-owners"', 1)[1]) == expected[OWNERS_PER_PAGE:]
    assert web.get("/rollups/groups/swg1-1?owners=x").status_code == 200
