"""Search results carry their item's TLP label (a non-default one), loaded with one query per
kind of item whatever the number of hits."""

from datetime import date

from sqlalchemy import event

from tests import factories
from tests.search.test_search import START, _meeting
from wg.actions.models import ActionStatus, ProgressLog
from wg.decisions.models import Decision
from wg.documents.models import Document
from wg.extensions import db
from wg.meetings.models import AgendaItem
from wg.search import services as search
from wg.sensitivity import Sensitivity


def _world():
    c = factories.coalition()
    g = c["groups"]["SWG1.1"]
    red = Decision(group_id=g.id, year=2026, number=1, text="Mephedrone red decision",
                   decided_on=date(2026, 3, 1), sensitivity=Sensitivity.red)
    plain = Decision(group_id=g.id, year=2026, number=2, text="Mephedrone plain decision",
                     decided_on=date(2026, 3, 2))
    db.session.add_all([red, plain])
    action = factories.action(g, title="Mephedrone action")
    action.sensitivity = Sensitivity.amber
    db.session.add(ProgressLog(action_id=action.id, note="Mephedrone note",
                               old_status=ActionStatus.open, new_status=ActionStatus.open,
                               old_progress=0, new_progress=5, version=1, created_at=START))
    meeting = _meeting(g, title="Mephedrone meeting", minutes_md="Mephedrone minutes",
                       minutes_published_at=START, agenda_published_at=START,
                       sensitivity=Sensitivity.amber, minutes_sensitivity=Sensitivity.red)
    db.session.add(AgendaItem(meeting_id=meeting.id, title="Mephedrone item", position=1))
    db.session.flush()
    db.session.add_all([
        Document(parent_type="decision", parent_id=red.id, title="Mephedrone inherited"),
        Document(parent_type="decision", parent_id=plain.id, title="Mephedrone own label",
                 sensitivity=Sensitivity.clear)])
    db.session.flush()
    return c


def test_each_labelled_hit_carries_its_label_in_few_queries(ctx):
    c = _world()
    hits = [doc for doc, *_ in search.search(c["people"]["coordinator"], "mephedrone").hits]
    statements = []
    engine = db.session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        labels = search.labels_for(hits)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 5
    shown = {(d.source_type, d.title if d.source_type != "decision" else d.body):
             labels.get(d.id) for d in hits}
    assert shown == {
        ("decision", "Mephedrone red decision"): Sensitivity.red,
        ("decision", "Mephedrone plain decision"): None,
        ("action", "Mephedrone action"): Sensitivity.amber,
        ("progress", "Mephedrone action"): Sensitivity.amber,
        ("meeting", "Mephedrone meeting"): Sensitivity.amber,
        ("minutes", "Mephedrone meeting"): Sensitivity.red,
        ("agenda_item", "Mephedrone item"): Sensitivity.amber,
        ("document", "Mephedrone inherited"): Sensitivity.red,
        ("document", "Mephedrone own label"): Sensitivity.clear,
    }


def test_the_results_page_shows_the_badges(app, login):
    with app.app_context():
        c = _world()
        db.session.commit()
        email = c["people"]["coordinator"].email
    page = login(email).get("/search?q=mephedrone&type=decision").get_data(as_text=True)
    assert page.count("tlp-badge tlp-red") == 1 and "tlp-green" not in page
