"""Pages make the same number of SQL statements however many actions there are."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests import factories as f
from wg.actions import services as actions
from wg.auth.models import Person
from wg.db_types import utcnow
from wg.extensions import db
from wg.rollups import queries


def _add_actions(app, n, now):
    with app.app_context():
        groups = {g.code: g for g in queries.all_groups()}
        member = db.session.scalar(select(Person).where(Person.email == "member@example.org"))
        chair = db.session.scalar(select(Person).where(Person.email == "chair@example.org"))
        for i in range(n):
            code = ["SWG1.1", "SWG1.2", "WG1", "SWG3.2"][i % 4]
            mine = code == "SWG1.1"
            a = f.action(groups[code], f"Action {i}", owner=member if mine else None,
                         participants=[member.participant] if mine else [],
                         due_date=date(2026, 1, 1) + timedelta(days=i * 7),
                         now=now - timedelta(days=300 - i), weight=1 + i % 3)
            actions.record_progress(a, chair, "in_progress", (i * 13) % 100, "n", None,
                                    now - timedelta(days=200 - i))
        db.session.commit()


def _count(engine, web, path):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = web.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, path
    return len(statements)


PAGES = ["/rollups/", "/rollups/groups/wg1", "/rollups/groups/swg1-1", "/rollups/participants",
         "/actions/?group=wg1", "/actions/mine", "/rollups/export.csv"]


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_query_count_does_not_grow_with_actions(app, login, role):
    with app.app_context():
        world = f.coalition()
        for code in ("SWG1.2", "WG1", "SWG3.2"):
            f.membership(world["people"]["chair"], world["groups"][code])
        db.session.commit()
        engine = db.engine
        web = login(world["people"][role])
    now = utcnow()
    pages = PAGES if role == "coordinator" else ["/actions/mine", "/actions/?group=swg1-1"]
    _add_actions(app, 4, now)
    small = {p: _count(engine, web, p) for p in pages}
    _add_actions(app, 60, now)
    large = {p: _count(engine, web, p) for p in pages}
    assert small == large
    assert large["/actions/mine"] <= 8
    if role == "coordinator":
        assert large["/rollups/"] <= 6
        page = web.get("/rollups/groups/wg1").get_data(as_text=True)
        assert 'data-figure="total">48<' in page  # WG1's own plus its sub-groups' actions
