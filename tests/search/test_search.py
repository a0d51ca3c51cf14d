"""Search: every source type is indexed in the same transaction, found with permissions applied,
and hostile text never breaks the page."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import factories
from wg.actions.models import ActionStatus, ProgressLog
from wg.decisions.models import Decision
from wg.extensions import db
from wg.initiatives.models import Initiative
from wg.meetings.models import AgendaItem, Meeting
from wg.pledge.models import PledgeCommitment
from wg.search import services as search
from wg.search.index import reindex
from wg.search.models import SearchDocument

START = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def _meeting(group, title="Monthly meeting", **fields):
    m = Meeting(uid=f"u-{title}-{group.id}", group_id=group.id, start_at=START,
                timezone="Europe/Vienna", title=title, **fields)
    db.session.add(m)
    db.session.flush()
    return m


def _types(person, q, **kw):
    return sorted(doc.source_type for doc, *_ in search.search(person, q, **kw).hits)


def _records(c):
    g = c["groups"]
    action = factories.action(g["SWG1.1"], title="Zolpidem seizure data")
    db.session.add(ProgressLog(action_id=action.id, note="Shared the chlorination ledger",
                               old_status=ActionStatus.open, new_status=ActionStatus.open,
                               old_progress=0, new_progress=10, version=1))
    meeting = _meeting(g["SWG1.1"], title="Synthesis review", place="Vienna International Centre",
                       minutes_md="We discussed the ephedrine shipments.",
                       minutes_published_at=START, agenda_published_at=START)
    db.session.add(AgendaItem(meeting_id=meeting.id, title="Tableting machines", position=1))
    db.session.add(Decision(group_id=g["SWG1.1"].id, year=2026, number=1, meeting_id=meeting.id,
                            text="Adopt the fentanyl analogue watch list", decided_on=date(2026, 3, 10)))
    db.session.add(Initiative(title="Darknet marketplace takedowns", goal_md="Coordinate takedowns",
                              group_id=g["WG1"].id, start_date=date(2026, 1, 1)))
    db.session.add(PledgeCommitment(number=99, text="Strengthen forensic laboratories"))
    db.session.flush()
    return action, meeting


def test_every_source_type_is_found_at_once(ctx):
    c = factories.coalition()
    _records(c)
    member = c["people"]["member"]
    assert _types(member, "zolpidem") == ["action", "progress"]
    assert _types(member, "chlorination") == ["progress"]
    assert _types(member, "synthesis") == ["meeting", "minutes"]
    assert _types(member, "ephedrine") == ["minutes"]
    assert _types(member, "tableting") == ["agenda_item"]
    assert _types(member, "fentanyl analogue") == ["decision"]
    assert _types(member, "darknet") == ["initiative"]
    assert _types(member, "forensic") == ["commitment"]
    assert _types(member, "zolpi") == ["action", "progress"]  # prefix match
    found = search.search(member, "zolpidem", source_type="action")
    assert found.total == 1 and found.facets == {"action": 1, "progress": 1}


def test_update_and_delete_follow_immediately_and_rollback_leaves_nothing(ctx):
    c = factories.coalition()
    action, meeting = _records(c)
    member = c["people"]["member"]
    action.title = "Cannabis eradication"
    db.session.flush()
    assert _types(member, "zolpidem") == []
    assert _types(member, "cannabis") == ["action", "progress"]  # progress carries the title
    db.session.delete(meeting)
    db.session.flush()
    assert _types(member, "synthesis") == [] and _types(member, "tableting") == []
    db.session.commit()
    initiative = Initiative(title="Heroin routes", group_id=c["groups"]["WG1"].id,
                            start_date=date(2026, 1, 1))
    db.session.add(initiative)
    db.session.flush()
    assert _types(member, "heroin") == ["initiative"]
    db.session.rollback()
    assert _types(member, "heroin") == []
    assert db.session.scalar(select(SearchDocument.id).where(
        SearchDocument.title == "Heroin routes")) is None


def test_permissions_are_applied(ctx):
    c = factories.coalition()
    g, p = c["groups"], c["people"]
    factories.action(g["SWG3.2"], title="Methamphetamine labs")
    _meeting(g["SWG3.2"], title="Other group", minutes_md="Private methamphetamine notes",
             minutes_published_at=START)
    draft = _meeting(g["SWG1.1"], title="Draft one", minutes_md="Unpublished khat findings")
    db.session.add(Decision(group_id=g["SWG1.1"].id, year=2026, number=2, meeting_id=draft.id,
                            text="Pending khat decision", decided_on=date(2026, 3, 10)))
    db.session.flush()
    assert _types(p["member"], "methamphetamine") == []
    assert _types(p["other_member"], "methamphetamine") == ["action", "minutes"]
    assert _types(p["coordinator"], "methamphetamine") == ["action", "minutes"]
    assert _types(p["member"], "khat") == []  # draft minutes and their decision: chairs only
    assert _types(p["chair"], "khat") == ["decision", "minutes"]
    assert _types(p["outsider"], "khat") == []
    draft.minutes_published_at = START
    db.session.flush()
    assert _types(p["member"], "khat") == ["decision", "minutes"]


def test_languages(ctx):
    c = factories.coalition()
    g, member = c["groups"], c["people"]["member"]
    factories.action(g["SWG1.1"], title="Développement des capacités")
    factories.action(g["SWG1.1"], title="Контроль прекурсоров")
    factories.action(g["SWG1.1"], title="مكافحة المخدرات")
    factories.action(g["SWG1.1"], title="加强前体化学品管制")
    assert _types(member, "developpement") == ["action"]
    assert _types(member, "Développement") == ["action"]
    assert _types(member, "прекурсоров") == ["action"]
    assert _types(member, "المخدرات") == ["action"]
    assert _types(member, "前体化学品") == ["action"]


def test_reindex_equals_incremental(ctx):
    c = factories.coalition()
    _records(c)
    columns = (SearchDocument.source_type, SearchDocument.source_id, SearchDocument.group_id,
               SearchDocument.visibility, SearchDocument.title, SearchDocument.body,
               SearchDocument.url_endpoint, SearchDocument.url_id, SearchDocument.url_anchor)
    before = sorted(db.session.execute(select(*columns)).all())
    commitments = len(db.session.scalars(select(PledgeCommitment.id)).all())
    assert len(before) == 7 + commitments  # 7 records of _records besides its commitment
    reindex(db.session)
    assert sorted(db.session.execute(select(*columns)).all()) == before
    assert _types(c["people"]["member"], "zolpidem") == ["action", "progress"]


def test_snippet_is_escaped_with_marks(ctx):
    html = search.highlight("<script>alert(1)</script> precursor \ue000x", ["precursor"])
    assert str(html) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>precursor</mark> x"


def test_marks_survive_characters_that_fold_to_more_or_less():
    # "…" folds to "...", "ﬁ" to "fi", a combining accent to nothing: the terms are still
    # marked, each on the characters it was found in.
    assert str(search.highlight("…ﬁnal Donne\u0301es, İstanbul", ["final", "donnees", "istanbul"])) \
        == "…<mark>ﬁnal</mark> <mark>Donne\u0301es</mark>, <mark>İstanbul</mark>"


def test_snippet_far_into_a_long_text_is_centred_and_marked():
    class Doc:
        body = "Agenda…\n" + "context " * 60 + "then the carfentanil seizures, " + "end " * 80

    text = str(search.snippet(Doc, ["Carfentanil"]))
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>carfentanil</mark> seizures" in text and len(text) < 200


def test_page_shows_escaped_title_and_marked_snippet(app, login):
    with app.app_context():
        c = factories.coalition()
        action = factories.action(c["groups"]["SWG1.1"], title="<script>x</script> precursor")
        action.description = "About <b>precursor</b> seizures"
        db.session.commit()
        email = c["people"]["member"].email
    web = login(email)
    page = web.get("/search?q=precursor").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt; precursor" in page and "<script>x" not in page
    assert "About &lt;b&gt;<mark>precursor</mark>&lt;/b&gt; seizures" in page
    assert 'href="/actions/' in page
    long = web.get("/search?q=" + "a" * 10000)
    assert long.status_code == 200 and "200" in long.get_data(as_text=True)


@pytest.mark.parametrize("q", ['"', "*", "NEAR(", "-", ":", 'a" OR "b', "title:x", "^", "((", "’"])
def test_hostile_queries_answer(app, login, q):
    with app.app_context():
        c = factories.coalition()
        factories.action(c["groups"]["SWG1.1"])
        db.session.commit()
        email = c["people"]["member"].email
    web = login(email)
    assert web.get("/search", query_string={"q": q}).status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=st.text(max_size=60).filter(lambda s: "\x00" not in s))
def test_arbitrary_text_never_raises(ctx, q):
    person = db.session.scalar(select(factories.Person)) if hasattr(factories, "Person") else None
    from wg.auth.models import Person

    person = person or db.session.scalar(select(Person))
    if person is None:
        person = factories.person(coordinator=True) if "coordinator" in \
            factories.person.__code__.co_varnames else factories.person()
        db.session.flush()
    search.search(person, q)
    search.search(person, q, source_type="action", page=3)


def test_many_matches_are_listed_newest_first(ctx, monkeypatch):
    c = factories.coalition()
    g, member = c["groups"], c["people"]["member"]
    # By relevance the older one (the term three times) would come first.
    old = factories.action(g["SWG1.1"], title="Xylazine xylazine xylazine",
                           now=datetime(2026, 1, 1, tzinfo=UTC))
    new = factories.action(g["SWG1.1"], title="Xylazine alert in the northern region",
                           now=datetime(2026, 2, 1, tzinfo=UTC))
    old.updated_at, new.updated_at = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    db.session.flush()
    ranked = search.search(member, "xylazine")
    assert [d.source_id for d, *_ in ranked.hits] == [old.id, new.id]
    monkeypatch.setattr(search, "RANK_LIMIT", 1)
    found = search.search(member, "xylazine")
    assert found.total == 2 and [d.source_id for d, *_ in found.hits] == [new.id, old.id]


def test_amber_strict_items_are_found_only_by_their_participant_and_coordinators(ctx):
    """An AMBER+STRICT action, its progress note, meeting, minutes, agenda item and decision:
    another country's member of the same group finds none of them (no title leaks)."""
    from wg.sensitivity import Sensitivity

    c = factories.coalition()
    p = c["people"]
    action, meeting = _records(c)
    owner = p["member"].participant_id
    assert p["other_member"].participant_id != owner
    action.sensitivity, action.sensitivity_participant_id = Sensitivity.amber_strict, owner
    meeting.sensitivity, meeting.sensitivity_participant_id = Sensitivity.amber_strict, owner
    decision = db.session.scalar(select(Decision).where(Decision.meeting_id == meeting.id))
    decision.sensitivity = Sensitivity.amber_strict
    db.session.flush()
    words = ["zolpidem", "chlorination", "synthesis", "ephedrine", "tableting", "fentanyl"]
    # the same group, another participant: a chair of SWG1.1 from elsewhere
    assert p["chair"].participant_id != owner
    for word in words:
        assert _types(p["chair"], word) == [], word
        assert _types(p["member"], word), word
        assert _types(p["coordinator"], word), word
    action.sensitivity = Sensitivity.green
    db.session.flush()
    assert _types(p["chair"], "zolpidem") == ["action", "progress"]


def test_markdown_is_indexed_and_quoted_as_its_words(ctx):
    c = factories.coalition()
    g = c["groups"]
    _meeting(g["SWG1.1"], title="Review", minutes_md="**Carfentanil** seizures, see [the list](https://example.org/x).",
             minutes_published_at=START)
    db.session.add(Initiative(title="Watch list", goal_md="## Goal\n\n- _Carfentanil_ watch list",
                              group_id=g["WG1"].id, start_date=date(2026, 1, 1)))
    db.session.flush()
    found = search.search(c["people"]["member"], "carfentanil")
    snippets = {doc.source_type: str(s) for doc, _g, s in found.hits}
    assert snippets["minutes"] == "<mark>Carfentanil</mark> seizures, see the list."
    assert snippets["initiative"] == "Goal <mark>Carfentanil</mark> watch list"
    assert not search.search(c["people"]["member"], "example").hits  # a link's address is not text


def test_a_new_record_overwrites_an_index_row_left_under_its_id(ctx):
    """A record deleted around the session (a bulk DELETE) leaves its index row; SQLite then
    gives the next record the same id. The new record's row is written over the old one (one
    upsert), never refused as a duplicate."""
    from sqlalchemy import delete as sql_delete
    from sqlalchemy import func

    from wg.actions.models import ActionItem

    c = factories.coalition()
    g, member = c["groups"], c["people"]["member"]
    old = factories.action(g["SWG1.1"], title="Nitazene courier routes")
    old_id = old.id
    db.session.expunge(old)
    db.session.execute(sql_delete(ActionItem).where(ActionItem.id == old_id))
    new = factories.action(g["SWG1.1"], title="Xylazine wholesale listings")
    if db.session.get_bind().dialect.name == "sqlite":
        assert new.id == old_id  # the reused id this test is about
    assert _types(member, "xylazine") == ["action"]
    rows = db.session.scalar(select(func.count()).select_from(SearchDocument).where(
        SearchDocument.source_type == "action", SearchDocument.source_id == new.id))
    assert rows == 1


def test_reindex_sql_sources_equal_python(ctx):
    """Reindex writes actions and progress entries in SQL (wg.search.index SQL_SOURCES on
    PostgreSQL, SQLITE_SOURCES on SQLite): the same rows, dates, AMBER+STRICT owners (and
    tsvectors) as the Python path, for accented and non-Latin text and notes of only white
    space too."""
    from sqlalchemy import text

    from wg.participants.models import Participant

    c = factories.coalition()
    g = c["groups"]
    plain = factories.action(g["SWG1.1"], title="Plain ASCII title")
    accented = factories.action(g["SWG1.1"], title="Développement des capacités")
    russian = factories.action(g["SWG2.1"], title="Контроль прекурсоров")
    participant = db.session.scalar(select(Participant).limit(1))
    accented.sensitivity_participant_id = participant.id
    accented.description = "Évaluation régionale"
    from wg.sensitivity import Sensitivity

    accented.sensitivity = Sensitivity.amber_strict
    for action, note in ((plain, "Shared the ledger"), (plain, "   "), (accented, "Résumé envoyé"),
                         (russian, "Отчёт готов"), (russian, ""), (plain, "\u3000\xa0\t\n"),
                         (plain, "\u3000x\xa0")):
        db.session.add(ProgressLog(action_id=action.id, note=note, old_status=ActionStatus.open,
                                   new_status=ActionStatus.open, old_progress=0, new_progress=5,
                                   version=1, created_at=START))
    db.session.flush()
    t = SearchDocument
    columns = (t.source_type, t.source_id, t.group_id, t.visibility, t.title, t.body,
               t.url_endpoint, t.url_id, t.url_anchor, t.updated_at, t.strict_participant_id)

    def snapshot():
        mine = t.source_type.in_(["action", "progress"])  # others may be dated "now"
        rows = sorted(db.session.execute(select(*columns).where(mine)).all())
        if db.session.get_bind().dialect.name == "postgresql":
            rows += sorted(db.session.execute(text(
                "SELECT source_type, source_id, tsv::text FROM search_documents "
                "WHERE source_type IN ('action', 'progress')")).all())
        return rows

    before = snapshot()
    # Blank notes are not indexed.
    assert sum(1 for r in before if r[0] == "progress" and len(r) == len(columns)) == 4
    reindex(db.session)
    assert snapshot() == before
    assert _types(c["people"]["coordinator"], "developpement") == ["action", "progress"]


def test_snippet_starts_and_ends_at_word_boundaries():
    class Doc:
        body = ("The working group discussed cooperation against " * 3
                + "the transit routes of precursor shipments across the region " * 5)

    for prefix in ("", "x", "xy", "xyz", "xyzw"):  # the cut falls in every part of a word
        Doc.body = prefix + Doc.body
        text = str(search.snippet(Doc, ["transit"]))
        assert text.startswith("…") and text.endswith("…")
        first = text[1:].split(" ")[0]
        assert first in Doc.body.split(" "), text
        last = text[:-1].split(" ")[-1]
        assert last in Doc.body.split(" "), text
        assert "<mark>transit</mark> routes" in text

    class Chinese:
        body = "前体" * 100 + "芬太尼" + "管制" * 100

    assert "<mark>芬太尼</mark>" in str(search.snippet(Chinese, ["芬太尼"]))
