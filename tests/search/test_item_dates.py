"""Search results carry each item's own date (a decision's date, an action's last activity, an
initiative's start until it is edited), not the day it was indexed; newest first follows it, and
the SQL twins of the Python builders write the same dates."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests import factories
from wg.decisions.models import Decision
from wg.extensions import db
from wg.initiatives.models import Initiative
from wg.search import services as search
from wg.search.index import reindex
from wg.search.models import SearchDocument as D


def _dated(source_type):
    return {r.source_id: r.updated_at for r in db.session.scalars(
        select(D).where(D.source_type == source_type))}


def test_items_are_indexed_under_their_own_date(ctx):
    c = factories.coalition()
    g = c["groups"]
    recorded = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    older = Decision(group_id=g["SWG1.1"].id, year=2026, number=1, text="Ketamine precursors",
                     decided_on=date(2026, 11, 10), created_at=recorded, updated_at=recorded)
    newer = Decision(group_id=g["SWG1.1"].id, year=2026, number=2, text="Ketamine routes",
                     decided_on=date(2026, 11, 20), created_at=recorded,
                     updated_at=datetime(2026, 11, 21, tzinfo=UTC))
    db.session.add_all([newer, older])
    initiative = Initiative(title="Ketamine initiative", goal_md="Trace it", group_id=g["WG1"].id,
                            start_date=date(2025, 4, 1), updated_at=recorded)
    db.session.add(initiative)
    action = factories.action(g["SWG1.1"], title="Ketamine seizures")
    action.last_activity_at = datetime(2026, 6, 1, tzinfo=UTC)
    action.updated_at = recorded
    db.session.flush()
    assert _dated("decision")[older.id] == datetime(2026, 11, 10, tzinfo=UTC)
    assert _dated("initiative")[initiative.id] == datetime(2025, 4, 1, tzinfo=UTC)
    assert _dated("action")[action.id] == datetime(2026, 6, 1, tzinfo=UTC)
    hits = search.search(c["people"]["coordinator"], "ketamine", "decision").hits
    assert [doc.source_id for doc, *_ in hits] == [newer.id, older.id]
    # The SQL twins (reindex) write the same dates as the Python builders.
    before = {t: _dated(t) for t in ("decision", "initiative", "action")}
    reindex(db.session)
    assert {t: _dated(t) for t in ("decision", "initiative", "action")} == before


def test_the_result_shows_the_decision_date(app, login):
    with app.app_context():
        c = factories.coalition()
        db.session.add(Decision(group_id=c["groups"]["SWG1.1"].id, year=2026, number=1,
                                text="Ketamine precursors", decided_on=date(2026, 11, 10),
                                updated_at=datetime(2026, 11, 29, tzinfo=UTC)))
        db.session.commit()
        email = c["people"]["member"].email
    page = login(email).get("/search?q=ketamine").get_data(as_text=True)
    assert "10 Nov 2026" in page and "29 Nov 2026" not in page
