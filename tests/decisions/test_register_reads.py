"""The register reads every group once and finds the rows' groups in the session (issue 15):
the same rows, and at most nine statements whatever the number of decisions."""

import re
from datetime import date, timedelta

from sqlalchemy import event

from tests import factories
from tests.conftest import NOW
from wg.decisions import services as decisions
from wg.extensions import db


def _record(group, chair, n, start):
    for i in range(n):
        decisions.record_decision(group, chair, decisions.DecisionInput(
            text=f"Decision {start + i}", decided_on=date(2026, 1, 5) + timedelta(days=start + i)),
            NOW)


def test_register_rows_and_statements(app, login):
    with app.app_context():
        c = factories.coalition()
        g, chair = c["groups"], c["people"]["chair"]
        _record(g["SWG1.1"], chair, 3, 0)
        _record(g["SWG3.2"], None, 2, 10)
        db.session.commit()
        lead = c["people"]["lead"].email
    web = login(lead)
    box = {"n": 0}

    def count(*args):
        box["n"] += 1

    def read(path):
        box["n"] = 0
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            body = web.get(path).get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return box["n"], re.findall(r"<bdi>(SWG[0-9.]+-\d+/\d+)</bdi>", body)

    before, rows = read("/decisions/?group=wg1&status=open")
    # The lead of WG1 sees SWG1.1's decisions (a working group takes in its sub-groups), newest
    # first, and not SWG3.2's.
    assert rows == ["SWG1.1-2026/3", "SWG1.1-2026/2", "SWG1.1-2026/1"]
    assert read("/decisions/?group=swg1-1")[1] == rows
    with app.app_context():
        from wg.groups.models import Group

        swg12 = db.session.query(Group).filter_by(code="SWG1.2").one()
        _record(swg12, None, 12, 20)
        db.session.commit()
    after, rows = read("/decisions/?group=wg1&status=open")
    assert len(rows) == 15 and rows[0] == "SWG1.2-2026/12" and rows[-1] == "SWG1.1-2026/1"
    assert after == before and after <= 9
