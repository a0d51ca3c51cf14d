"""The faster search (facets counted on search_scopes, newest-first pages walked down
ix_search_documents_newest) finds exactly what the plain query over search_documents finds:
the same totals, facets, rows and order, for every kind of person and filter."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from tests import factories
from wg import permissions
from wg.extensions import db
from wg.search import services as search
from wg.search.models import SearchDocument as D

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
VISIBILITIES = ["all", "group", "viewers", "chairs", "recorders"]
TYPES = ["action", "progress", "minutes", "decision"]


def _documents(c, n=90):
    """Index rows of every visibility, type and group, some AMBER+STRICT, several sharing one
    updated_at (the id breaks the tie) and two without one."""
    groups = list(c["groups"].values())
    owner = c["people"]["member"].participant_id
    rows = []
    for i in range(n):
        rows.append(D(source_type=TYPES[i % len(TYPES)], source_id=1000 + i,
                      group_id=None if i % 11 == 0 else groups[i % len(groups)].id,
                      visibility=VISIBILITIES[i % len(VISIBILITIES)],
                      title=f"Precursor report {i}" if i % 3 else f"Other title {i}",
                      body="precursor seizures" if i % 4 else "chemicals",
                      url_endpoint="actions.detail", url_id=i,
                      updated_at=None if i in (7, 8) else T0 + timedelta(hours=i // 3),
                      strict_participant_id=owner if i % 13 == 0 else None))
    db.session.add_all(rows)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        from wg.search.index import _refresh_tsv

        _refresh_tsv(db.session.connection())  # rows written here, not by the index upkeep
    return rows


def _reference(person, q, source_type=None, group_id=None):
    """The plain query: every match's row of search_documents, filtered and sorted."""
    dialect = db.session.get_bind().dialect.name
    expression, clauses, _ = search._matched(search.parse(q), dialect)
    matched = search._fts(expression, False) if expression else None
    where = [permissions.search_visibility_clause(person), *clauses]
    if group_id:
        where.append(D.group_id == group_id)
    facets = dict(db.session.execute(
        search._base(select(D.source_type, func.count()).select_from(D), matched)
        .where(*where).group_by(D.source_type)).all())
    if source_type:
        where.append(D.source_type == source_type)
    ids = db.session.scalars(
        search._base(select(D.id).select_from(D), matched).where(*where)
        .order_by(D.updated_at.is_(None), D.updated_at.desc(), D.id.desc())).all()
    return facets, ids


@pytest.mark.parametrize("who", ["member", "chair", "coordinator", "outsider", "other_member"])
def test_newest_first_pages_equal_the_plain_query(ctx, monkeypatch, who):
    c = factories.coalition()
    _documents(c)
    monkeypatch.setattr(search, "RANK_LIMIT", 1)  # newest first from two matches on
    monkeypatch.setattr(search, "PER_PAGE", 4)
    monkeypatch.setattr(search, "WALK_PAGES", 2)  # pages 1-2 walked, later ones sorted
    person = c["people"][who]
    swg = c["groups"]["SWG1.1"].id
    for q in ["precursor", "precursor seizures", "precur"]:
        for source_type, group_id in [(None, None), ("progress", None), (None, swg),
                                      ("action", swg)]:
            facets, ids = _reference(person, q, source_type, group_id)
            for page in range(1, len(ids) // 4 + 3):
                found = search.search(person, q, source_type, group_id, page)
                assert found.facets == facets, (q, source_type, group_id)
                assert found.total == len(ids)
                assert [d.id for d, *_ in found.hits] == ids[(page - 1) * 4:page * 4], \
                    (q, source_type, group_id, page)
    if who == "coordinator":
        assert len(_reference(person, "precursor")[1]) > 40  # the pages above were not empty


def test_search_follows_updates_deletes_and_reindex(ctx, monkeypatch):
    """After inserts, updates, deletes and a reindex the search still equals the plain query;
    on SQLite the trigger-kept copy of the filter columns (search_scopes) equals
    search_documents."""
    c = factories.coalition()
    rows = _documents(c, 30)
    monkeypatch.setattr(search, "RANK_LIMIT", 1)
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    columns = "id, source_type, visibility, group_id, strict_participant_id"

    def same():
        for who in ("member", "chair", "coordinator"):
            person = c["people"][who]
            facets, ids = _reference(person, "precursor")
            found = search.search(person, "precursor")
            assert (found.facets, [d.id for d, *_ in found.hits]) == (facets, ids[:20]), who
        if sqlite:
            docs = db.session.execute(text(f"SELECT {columns} FROM search_documents ORDER BY id"))
            scopes = db.session.execute(text(f"SELECT {columns} FROM search_scopes ORDER BY id"))
            assert docs.all() == scopes.all()

    same()
    db.session.execute(update(D).where(D.id == rows[3].id).values(
        visibility="all", group_id=c["groups"]["SWG3.2"].id, updated_at=T0 + timedelta(days=9)))
    db.session.execute(update(D).where(D.id == rows[5].id).values(
        visibility="chairs", strict_participant_id=c["people"]["chair"].participant_id))
    db.session.execute(delete(D).where(D.id == rows[4].id))
    same()
    from wg.search.index import reindex

    reindex(db.session)  # rebuilt from the coalition's records: the rows above are gone
    assert db.session.scalar(select(func.count()).select_from(D).where(D.source_id >= 1000)) == 0
    same()


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_counts_stop_at_the_limit_and_pages_still_equal_the_plain_query(ctx, monkeypatch, who):
    """Beyond COUNT_LIMIT matches the total is "more than COUNT_LIMIT", the type counts are
    those of a sample of exactly COUNT_LIMIT visible matches, one chosen type is counted on its
    own (exact below the limit), and the pages are still the plain query's, newest first,
    with a next page exactly while rows remain."""
    c = factories.coalition()
    _documents(c)
    monkeypatch.setattr(search, "COUNT_LIMIT", 7)
    monkeypatch.setattr(search, "RANK_LIMIT", 7)
    monkeypatch.setattr(search, "PER_PAGE", 4)
    monkeypatch.setattr(search, "WALK_PAGES", 2)
    person = c["people"][who]
    facets, ids = _reference(person, "precursor")
    assert len(ids) > 7
    found = search.search(person, "precursor")
    assert (found.total, found.capped, found.sampled) == (7, True, True)
    assert sum(found.facets.values()) == 7 and set(found.facets) <= set(facets)
    assert all(found.facets[t] <= facets[t] for t in found.facets)
    for page in range(1, len(ids) // 4 + 3):
        found = search.search(person, "precursor", page=page)
        assert [d.id for d, *_ in found.hits] == ids[(page - 1) * 4:page * 4], page
        assert found.has_next == (page * 4 < len(ids)), page
    for source_type in TYPES:  # "minutes" and "decision" are read type first (few rows)
        _, typed = _reference(person, "precursor", source_type)
        assert typed, source_type
        for page in (1, 2, 3):
            found = search.search(person, "precursor", source_type, page=page)
            assert found.sampled
            assert (found.total, found.capped) == (min(len(typed), 7), len(typed) > 7), \
                source_type
            # Newest first (a word found beyond the limit), each page the plain query's.
            assert [d.id for d, *_ in found.hits] == typed[(page - 1) * 4:page * 4], \
                (source_type, page)
            assert found.has_next == (page * 4 < len(typed)), (source_type, page)


def test_the_page_says_more_than_the_limit_without_sampled_counts(app, login, monkeypatch):
    with app.app_context():
        c = factories.coalition()
        _documents(c)
        db.session.commit()
        email = c["people"]["coordinator"].email
    monkeypatch.setattr(search, "COUNT_LIMIT", 7)
    web = login(email)
    page = web.get("/search?q=precursor").get_data(as_text=True)
    assert "More than 7 results, newest first." in page
    assert "badge text-bg-light" not in page  # no count that is only a sample's
    for label in search.TYPE_LABELS.values():  # every type offered: the sample may miss one
        assert f">{label}</a>" in page, label
    assert 'rel="next"' in page or ">Next<" in page
    monkeypatch.setattr(search, "COUNT_LIMIT", 1000)
    page = web.get("/search?q=precursor").get_data(as_text=True)
    assert "More than" not in page and "badge text-bg-light" in page
