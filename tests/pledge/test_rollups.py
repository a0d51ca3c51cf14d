"""Commitment rollups against hand-computed values, and a property test against a recount."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import NOW
from wg.extensions import db
from wg.pledge import queries, rollups
from wg.pledge import services as pledge
from wg.pledge.models import PledgeCommitment

STATUS = st.sampled_from(["not_started", "in_progress", "in_place", None])  # None: no record


def test_hand_computed_example():
    # Two signatories in Europe (A, B), one organization (C); two commitments (1, 2).
    signatories = [("A", "150"), ("B", "150"), ("C", "ORG")]
    statuses = {("A", 1): "in_place", ("A", 2): "in_progress", ("B", 1): "in_progress",
                ("C", 2): "in_place"}  # B-2 and C-1 have no record: not started
    r = rollups.compute(signatories, [1, 2], statuses)
    # Commitment 1: in place, in progress, not started -> 1/3 in place; (100+50+0)/3 = 50.
    assert r.by_commitment[1].counts == {"not_started": 1, "in_progress": 1, "in_place": 1}
    assert r.by_commitment[1].share_in_place == 1 / 3 and r.by_commitment[1].progress == 50
    # Commitment 2: in progress, not started, in place -> same figures.
    assert r.by_commitment[2].progress == 50
    # Europe: A1 100, A2 50, B1 50, B2 0 -> 1/4 in place, 200/4 = 50.
    assert r.by_region["150"].share_in_place == 0.25 and r.by_region["150"].progress == 50
    # Organizations: C1 0, C2 100 -> 1/2, 50.
    assert r.by_region["ORG"].share_in_place == 0.5 and r.by_region["ORG"].progress == 50
    assert r.overall.total == 6 and r.overall.progress == 300 / 6


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["002", "019", "142", "150", "009", "ORG"]),
                          st.lists(STATUS, min_size=5, max_size=5)), max_size=12))
def test_rollups_equal_a_hand_recount(rows):
    signatories = [(i, region) for i, (region, _) in enumerate(rows)]
    commitments = [1, 2, 3, 4, 5]
    statuses = {(i, c): s for i, (_, row) in enumerate(rows)
                for c, s in zip(commitments, row, strict=True) if s is not None}
    r = rollups.compute(signatories, commitments, statuses)
    points = {"not_started": 0, "in_progress": 50, "in_place": 100}

    def recount(pairs):
        values = [statuses.get(pair) or "not_started" for pair in pairs]
        if not values:
            return None, None
        return (sum(v == "in_place" for v in values) / len(values),
                sum(points[v] for v in values) / len(values))

    for c in commitments:
        share, progress = recount([(i, c) for i, _ in signatories])
        assert (r.by_commitment[c].share_in_place, r.by_commitment[c].progress) == (share,
                                                                                    progress)
    for region in {region for _, region in signatories}:
        pairs = [(i, c) for i, reg in signatories if reg == region for c in commitments]
        assert (r.by_region[region].share_in_place, r.by_region[region].progress) == \
            recount(pairs)
        assert r.by_region[region].total == len(pairs)
    assert r.overall.total == len(signatories) * 5


def test_rollup_from_the_database_matches_the_rows(ctx):
    c = factories.coalition()
    coord = c["people"]["coordinator"]
    items = db.session.query(PledgeCommitment).order_by("number").all()
    mexico, ghana = factories.participant("MEX"), factories.participant("GHA")
    pledge.update_implementation(mexico, items[0], coord, status="in_place", now=NOW)
    pledge.update_implementation(ghana, items[0], coord, status="in_progress", now=NOW,
                                 last_reviewed_on=date(2026, 1, 1))
    signatories, commitments, records = queries.implementation_rows()
    r = queries.rollup(signatories, commitments, records)
    assert len(signatories) == 11
    first = r.by_commitment[items[0].id]
    assert first.counts == {"not_started": 9, "in_progress": 1, "in_place": 1}
    assert first.progress == 150 / 11
    # Mexico and the Dominican Republic are in the Americas (019) with Canada: 3 x 5 records.
    assert r.by_region["019"].total == 15 and r.by_region["019"].counts["in_place"] == 1
    due = queries.not_reviewed(signatories, commitments, records, NOW.date())
    ghana_due = next(d for d in due if d.participant.code == "GHA")
    assert ghana_due.numbers == [2, 3, 4, 5] and ghana_due.last_reviewed_on is None
    assert len(due) == 11


def test_a_recent_signatory_is_not_due_a_review_until_a_year_after_signing(ctx):
    c = factories.coalition()
    coord = c["people"]["coordinator"]
    peru = factories.participant("PER")
    pledge.sign(peru, coord, signed_on=date(2026, 2, 10), now=NOW)  # a month before NOW
    signatories, commitments, records = queries.implementation_rows()
    due = queries.not_reviewed(signatories, commitments, records, NOW.date())
    assert "PER" not in {d.participant.code for d in due} and len(due) == 11
    # Thirteen months after signing, never reviewed: due, and the signature date is given.
    later = date(2027, 3, 10)
    peru_due = next(d for d in queries.not_reviewed(signatories, commitments, records, later)
                    if d.participant.code == "PER")
    assert peru_due.numbers == [1, 2, 3, 4, 5] and peru_due.last_reviewed_on is None
    assert peru_due.signed_on == date(2026, 2, 10)


@given(st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.dates()), st.dates())
def test_review_due_is_the_older_of_review_or_signature(reviewed, signed, cutoff):
    since = reviewed if reviewed is not None else signed
    assert queries.review_due(reviewed, signed, cutoff) == (since is None or since < cutoff)
