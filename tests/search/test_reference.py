"""A decision is found by its own reference (SWG1.1-2026/15, with or without the hyphen and the
slash), listed first, by everyone who may see it, and shown as the register writes it."""

from datetime import date

import pytest

from tests import factories
from tests.search.test_search import START, _meeting
from wg.decisions.models import Decision
from wg.extensions import db
from wg.search import services as search


def _world():
    c = factories.coalition()
    g = c["groups"]
    meeting = _meeting(g["SWG1.1"], title="Synthesis review", minutes_published_at=START,
                       minutes_md="As decided in SWG1.1-2026/15, the list is shared monthly.")
    decision = Decision(group_id=g["SWG1.1"].id, year=2026, number=15, meeting_id=meeting.id,
                        text="Share the watch list monthly", decided_on=date(2026, 3, 10))
    other = Decision(group_id=g["SWG1.1"].id, year=2026, number=1, text="Adopt the plan",
                     decided_on=date(2026, 1, 10))
    wg3 = Decision(group_id=g["WG3"].id, year=2025, number=1, text="Open the treatment track",
                   decided_on=date(2025, 5, 1))
    db.session.add_all([decision, other, wg3])
    db.session.flush()
    return c, decision, wg3


@pytest.mark.parametrize("q", ["SWG1.1-2026/15", "swg1.1 2026/15", "SWG1.1 2026 15",
                               "SWG1.1-2026 15", "decision SWG1.1-2026/15"])
def test_a_reference_finds_its_decision_first(ctx, q):
    c, decision, _wg3 = _world()
    for role in ("member", "chair", "coordinator"):
        hits = search.search(c["people"][role], q).hits
        assert hits, (role, q)
        doc = hits[0][0]
        assert (doc.source_type, doc.source_id) == ("decision", decision.id), (role, q)
        assert doc.title == "SWG1.1-2026/15"
        assert [d.source_id for d, *_ in hits if d.source_type == "decision"] == [decision.id]


def test_a_reference_finds_nothing_for_whoever_may_not_see_it(ctx):
    c, _decision, wg3 = _world()
    assert search.search(c["people"]["coordinator"], "WG3-2025/1").hits[0][0].source_id == wg3.id
    assert not [d for d, *_ in search.search(c["people"]["member"], "WG3-2025/1").hits
                if d.source_type == "decision" and d.source_id == wg3.id]
    # A filter on another type leaves the decision out.
    assert all(d.source_type == "minutes" for d, *_ in search.search(
        c["people"]["chair"], "SWG1.1-2026/15", "minutes").hits)


def test_reference_parsing():
    assert search.reference("see swg1.1 2026/15 please") == "SWG1.1-2026/15"
    assert search.reference("WG3-2025/01") == "WG3-2025/1"
    assert search.reference("precursor 2026") is None


def test_the_result_reads_as_the_register_writes_it(app, login):
    with app.app_context():
        c, _decision, _wg3 = _world()
        db.session.commit()
        email = c["people"]["member"].email
    page = login(email).get("/search?q=SWG1.1-2026/15").get_data(as_text=True)
    assert "Decision SWG1.1-2026/15" in page and "Decision SWG1.1 2026/15" not in page
