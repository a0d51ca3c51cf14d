"""The summaries kept by the services survive edits of weight and due date."""

from datetime import date, timedelta

from tests import factories as f
from tests.rollups.test_rollups_property import NOW, _raw, _recount_now
from wg.actions import services as actions
from wg.extensions import db
from wg.rollups import compute, queries


def test_weight_and_due_date_edits_keep_summaries_exact(ctx):
    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    a = f.action(g, "A", due_date=date(2025, 9, 1), now=NOW - timedelta(days=400))
    b = f.action(g, "B", due_date=date(2026, 9, 1), now=NOW - timedelta(days=300), weight=2)
    actions.record_progress(a, chair, "in_progress", 40, "", None, NOW - timedelta(days=350))
    actions.record_progress(b, chair, "done", 100, "", None, NOW - timedelta(days=100))
    actions.record_progress(a, chair, "in_progress", 70, "", None, NOW - timedelta(days=10))
    data = actions.ActionInput(title="A", due_date=date(2026, 12, 1), weight=5)
    actions.update_action(a, chair, data, a.version, NOW)
    data = actions.ActionInput(title="B", due_date=date(2025, 1, 1), weight=3)
    actions.update_action(b, chair, data, b.version, NOW)
    db.session.commit()

    rows, logs, _ = _raw()
    expected = _recount_now(rows, logs)
    got = queries.figures_by_group(NOW.date(), NOW)[g.id]
    assert got.as_tuple() == expected.as_tuple()
    assert (got.weight_sum, got.weighted_sum) == (8, 5 * 70 + 3 * 100)
    months = compute.trend_months(NOW)
    series = queries.trend_by_group(months)[g.id]
    for m, values in zip(months, series, strict=True):
        assert tuple(values) == compute.figures_at(rows, logs, m).as_tuple()


def test_participant_summaries_follow_progress_and_reassignment(ctx):
    w = f.coalition()
    g, chair, member = w["groups"]["SWG1.1"], w["people"]["chair"], w["people"]["member"]
    ghana, mexico = member.participant, chair.participant
    a = f.action(g, "A", participants=[ghana, mexico], due_date=date(2025, 9, 1),
                 now=NOW - timedelta(days=400))
    b = f.action(g, "B", participants=[ghana], due_date=date(2027, 1, 1),
                 now=NOW - timedelta(days=30), weight=2)
    actions.record_progress(a, chair, "in_progress", 40, "", None, NOW - timedelta(days=60))
    actions.record_progress(b, chair, "done", 100, "", None, NOW - timedelta(days=5))
    # Ghana is taken off A, the weight of A changes, and B is dropped.
    actions.update_action(a, chair, actions.ActionInput(
        title="A", due_date=date(2025, 9, 1), weight=4, participant_ids=[mexico.id]),
        a.version, NOW)
    actions.record_progress(b, chair, "dropped", 100, "", None, NOW - timedelta(days=1))
    db.session.commit()

    rows, logs, links = _raw()
    _recount_now(rows, logs)
    by_code = {p.code: (fig, last) for p, fig, last in queries.participant_figures(
        NOW.date(), NOW)}
    for participant in (ghana, mexico):
        ids = {aid for aid, pid in links if pid == participant.id}
        mine = [r for r in rows if r["id"] in ids]
        expected = compute.figures(mine, NOW.date(), NOW)
        if expected.total == 0:
            assert participant.code not in by_code
            continue
        fig, last = by_code[participant.code]
        assert fig.as_tuple() == expected.as_tuple()
        entries = [e["created_at"] for aid in ids for e in logs.get(aid, [])]
        assert last == (max(entries) if entries else None)
    assert by_code["MEX"][0].as_tuple()[:1] == (1,) and by_code["MEX"][0].weight_sum == 4
    assert "GHA" not in by_code  # only a dropped action left
