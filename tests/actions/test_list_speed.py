"""The actions list and My actions read less (issue 15) and still show the same rows in the same
order: the due-date order against its rule written out here, the filter links against url_for,
and statements per page that do not grow with the number of actions."""

import html
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import event, select

from tests import factories as f
from wg.actions import queries
from wg.actions import services as actions
from wg.actions.models import ActionItem, ActionStatus
from wg.extensions import db

TODAY = date.today()
CLOSED = (ActionStatus.done, ActionStatus.dropped)


def _rule(action):
    """Overdue first (oldest due first), then the other actions not done by due date, then the
    done and dropped ones (the CASE the list used to sort by), the id breaking ties."""
    if action.status not in CLOSED and action.due_date < TODAY:
        first = 0
    elif action.status in CLOSED:
        first = 2
    else:
        first = 1
    return (first, action.due_date, action.id)


@pytest.fixture()
def mixed(app):
    """Forty actions in SWG1.1, due dates around today (some shared), every status."""
    rng = random.Random(15)
    with app.app_context():
        w = f.coalition()
        chair, groups = w["people"]["chair"], w["groups"]
        gha, mex = f.participant("GHA"), f.participant("MEX")
        now = datetime.now(UTC)
        for i in range(40):
            a = f.action(groups["SWG1.1"], f"Action {i:02d}", owner=chair if i % 4 == 0 else None,
                         participants=[gha] if i % 2 else [gha, mex],
                         due_date=TODAY + timedelta(days=rng.choice([-90, -30, -1, 0, 1, 30, 90])))
            status = rng.choice(["open", "in_progress", "blocked", "done", "dropped"])
            if status != "open":
                actions.record_progress(a, chair, status, 100 if status == "done" else 10,
                                        "Waiting on data", None, now)
        db.session.commit()
        emails = {k: p.email for k, p in w["people"].items()}
    return emails


@pytest.mark.parametrize("status", ["", "all", "not_done", "open", "in_progress", "blocked",
                                    "done", "dropped"])
@pytest.mark.parametrize("group", ["", "wg1", "swg1-1"])
def test_due_order_is_the_overdue_first_rule(app, mixed, status, group):
    with app.test_request_context():
        from wg.groups.models import Group

        args = {k: v for k, v in (("status", status), ("group", group)) if v}
        filters = queries.parse_filters(
            args, lambda slug: db.session.scalar(select(Group).where(Group.slug == slug)))
        now = datetime.now(UTC)
        got = list(db.session.scalars(queries.list_query(filters, None, TODAY, now)))
        everything = list(db.session.scalars(select(ActionItem)))
        wanted = [a for a in everything
                  if (filters.status is None or a.status == filters.status)
                  and (filters.status is not None or filters.all_statuses or a.status not in CLOSED)
                  and (filters.group is None or a.group_id == filters.group.id
                       or a.group.parent_id == filters.group.id)]
        assert [a.id for a in got] == [a.id for a in sorted(wanted, key=_rule)]
        assert got, "every case lists something"


def test_my_actions_keep_the_rule_across_pages(app, mixed, login):
    with app.app_context():
        from wg.auth.models import Person

        member = db.session.scalar(select(Person).where(Person.email == mixed["member"]))
        # GHA is on every action; the member takes part in SWG1.1 only.
        wanted = sorted((a for a in db.session.scalars(select(ActionItem))
                         if a.group.code == "SWG1.1"), key=_rule)
        assert member is not None
    web = login(mixed["member"])
    ids = []
    for page in (1, 2):
        body = web.get(f"/actions/mine?all=1&page={page}").get_data(as_text=True)
        ids += [int(i) for i in re.findall(r'id="a(\d+)-title"', body)]
    assert ids == [a.id for a in wanted]
    assert f"{len(wanted)} actions." in body
    open_only = web.get("/actions/mine").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'id="a(\d+)-title"', open_only)] == [
        a.id for a in wanted if a.status not in CLOSED][:20]


def test_filter_links_are_what_url_for_makes(app, mixed, login):
    web = login(mixed["coordinator"])
    # In the order the page writes its filters (ActionFilters.as_args, then the sort); with a
    # participant filter already there, its links replace it in place.
    for query in ({"group": "swg1-1", "sort": "title"}, {"status": "all", "participant": "GHA"},
                  {"status": "all", "q": "Action 1", "sort": "-due"}):
        body = web.get("/actions/", query_string=query).get_data(as_text=True)
        table = body.split("<table", 1)[1]
        chips = set(re.findall(
            r'<a class="chip text-decoration-none" href="([^"]+)" title="[^"]*">([A-Z]+)</a>', table))
        owners = set(re.findall(r'<td><a href="([^"]+)" dir="auto">', table))
        details = re.findall(r'<th scope="row" class="fw-normal"><a href="([^"]+)"', table)
        assert {code for _, code in chips} == {"GHA", "MEX"} and details
        with app.test_request_context():
            for link, code in chips:
                assert link == html.escape(url_for("actions.index", **dict(query, participant=code)))
            for link in owners:
                assert link == html.escape(url_for("actions.index", **dict(
                    query, owner=re.search(r"owner=(\d+)", link).group(1))))
            assert all(re.fullmatch(r"/actions/\d+", d) for d in details)


def _statements(app, web, path):
    box = {"n": 0}

    def count(*args):
        box["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = web.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return box["n"]


def _signed_in(app, email):
    from tests.conftest import CSRFClient

    web = CSRFClient(app.test_client())
    assert web.post("/login", {"email": email, "password": "correct-horse-battery"}
                    ).status_code == 302
    return web


def test_statements_do_not_grow_with_the_actions(app, mixed):
    lead, member = _signed_in(app, mixed["lead"]), _signed_in(app, mixed["member"])
    # (Forty actions make one page of the list: page 2 only exists after, see below.)
    # My actions: 8 when its list is worked out (the change stamps it is kept under, then the
    # union of owned and assigned actions), 7 when it is kept.
    caps = {"/actions/?group=wg1&status=all&sort=title": 9, "/actions/?group=wg1": 9,
            "/actions/mine?all=1": 8}

    def counts():
        return {p: _statements(app, member if "mine" in p else lead, p) for p in caps}

    before = counts()
    with app.app_context():
        from wg.groups.models import Group

        swg = db.session.scalar(select(Group).where(Group.code == "SWG1.1"))
        people = [f.person(participant_code=code) for code in ("ITA", "IND", "BEL", "CAN")]
        for person in people:
            f.membership(person, swg)
        for i in range(80):
            f.action(swg, f"More {i}", owner=people[i % 4],
                     participants=[f.participant(c) for c in ("GHA", "ITA", "IND")[: i % 3 + 1]],
                     due_date=TODAY + timedelta(days=i - 40))
        db.session.commit()
    after = counts()
    assert after == before
    for path, cap in caps.items():
        assert after[path] <= cap, (path, after[path])
    assert _statements(app, lead, "/actions/?group=wg1&status=all&page=2") <= 9
