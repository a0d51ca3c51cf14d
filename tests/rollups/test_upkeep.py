"""Rollup figures computed on paper, the one upkeep entry point, and the check/rebuild commands."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select, text, update

from tests import factories as f
from wg.actions import services as actions
from wg.actions.models import ActionItem
from wg.extensions import db
from wg.rollups import compute, formulas, queries, summary
from wg.rollups.models import RollupCurrent, RollupMonthDelta
from wg.rollups.services import build_scopes

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def at(day, month=3, hour=9):
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _paper_world():
    """Four actions in SWG1.1 and one in SWG1.2, each with a state chosen for the sums below."""
    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    f.membership(chair, w["groups"]["SWG1.2"], f.Role.chair)
    # A: weight 1, in progress 40 %, due yesterday (overdue), last entry 18 days ago (fresh).
    a = f.action(g, "A", weight=1, due_date=date(2026, 3, 9), now=at(5, 1))
    actions.record_progress(a, chair, "in_progress", 40, "", None, at(20, 2))
    # B: weight 2, done with 60 % typed: counts as 100; due long ago but done (not overdue).
    b = f.action(g, "B", weight=2, due_date=date(2026, 1, 1), now=at(5, 1))
    actions.record_progress(b, chair, "done", 60, "", None, at(1, 1, 12))
    # C: weight 3, blocked at 10 %, due today (not before today), last entry on 1 February,
    # 37 days before NOW (stale: no entry in the last 30 days).
    c = f.action(g, "C", weight=3, due_date=TODAY, now=at(5, 1))
    actions.record_progress(c, chair, "blocked", 10, "Waiting for customs data", None,
                            at(1, 2))
    # D: weight 5, dropped: left out of every figure.
    d = f.action(g, "D", weight=5, due_date=date(2026, 2, 1), now=at(5, 1))
    actions.record_progress(d, chair, "dropped", 0, "", None, at(6, 1))
    # E in SWG1.2: weight 4, open at 0 %, created 9 days ago, due at the end of the year.
    f.action(w["groups"]["SWG1.2"], "E", weight=4, due_date=date(2026, 12, 31), now=at(1))
    db.session.commit()
    return w


def test_figures_computed_on_paper(ctx):
    w = _paper_world()
    scopes = {(s.group.code if s.group else "COALITION"): s
              for top in build_scopes(None, NOW) for s in [top] + top.children}
    swg = scopes["SWG1.1"].figures
    # Σ(w×p) = 1×40 + 2×100 + 3×10 = 270; Σw = 1 + 2 + 3 = 6 (D dropped); 270 / 6 = 45.0 %.
    assert (swg.total, swg.n_in_progress, swg.n_done, swg.n_blocked) == (3, 1, 1, 1)
    assert (swg.weighted_sum, swg.weight_sum, swg.percent_complete) == (270, 6, 45.0)
    assert (swg.overdue, swg.stale) == (1, 1)  # A overdue; C stale
    # WG1 covers SWG1.1 and SWG1.2: Σ(w×p) = 270 + 4×0 = 270, Σw = 6 + 4 = 10: 27.0 %.
    wg1 = scopes["WG1"].figures
    assert (wg1.total, wg1.n_open, wg1.weight_sum, wg1.percent_complete) == (4, 1, 10, 27.0)
    assert (wg1.overdue, wg1.stale) == (1, 1)
    assert scopes["SWG1.2"].figures.percent_complete == 0.0
    assert scopes["COALITION"].figures.as_tuple() == wg1.as_tuple()
    assert scopes["WG2"].figures.total == 0 and scopes["WG2"].figures.percent_complete is None
    assert w["groups"]["SWG1.1"].id in {g for g, _ in db.session.execute(
        select(RollupCurrent.group_id, RollupCurrent.status))}


def test_month_end_trend_across_two_months(ctx):
    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    # Weight 2, created 5 Jan, 50 % on 20 Jan, done on 15 Feb; due 28 Feb.
    a = f.action(g, "A", weight=2, due_date=date(2026, 2, 28), now=at(5, 1))
    actions.record_progress(a, chair, "in_progress", 50, "", None, at(20, 1))
    actions.record_progress(a, chair, "done", 100, "", None, at(15, 2))
    # Weight 1, created 10 Feb, never touched, due 1 Feb (overdue from creation).
    f.action(g, "B", weight=1, due_date=date(2026, 2, 1), now=at(10, 2))
    db.session.commit()
    jan, feb = compute.month_index(date(2026, 1, 1)), compute.month_index(date(2026, 2, 1))
    series = queries.trend_by_group([jan, feb])[g.id]
    end_jan = compute.Figures(*series[0])
    end_feb = compute.Figures(*series[1])
    # End of January: only A, in progress 50 %: 2×50 / 2 = 50.0 %; due in February: not overdue.
    assert (end_jan.total, end_jan.n_in_progress, end_jan.weighted_sum, end_jan.weight_sum,
            end_jan.percent_complete, end_jan.overdue, end_jan.stale) == (1, 1, 100, 2, 50.0,
                                                                          0, 0)
    # End of February: A done (2×100) and B open 0 % (1×0): 200 / 3 = 66.66… → 66.7 %;
    # B overdue (due 1 Feb, before 28 Feb), created 10 Feb so not stale by 1 March.
    assert (end_feb.total, end_feb.n_done, end_feb.n_open, end_feb.weighted_sum,
            end_feb.weight_sum, end_feb.percent_complete, end_feb.overdue,
            end_feb.stale) == (2, 1, 1, 200, 3, 66.7, 1, 0)


def test_each_formula_agrees_with_its_sql_twin(ctx):
    w = f.coalition()
    g, chair = w["groups"]["SWG1.1"], w["people"]["chair"]
    made = []
    for i, (status, progress) in enumerate([("open", 0), ("in_progress", 30), ("blocked", 5),
                                            ("done", 70), ("dropped", 20)]):
        for due, created in ((date(2026, 3, 9), at(1, 1)), (TODAY, at(9, 2, 13)),
                             (date(2026, 4, 1), at(8, 2, 11))):
            a = f.action(g, f"{status} {i}", due_date=due, now=created)
            if (status, progress) != ("open", 0):
                actions.record_progress(a, chair, status, progress, "x", None, created)
            made.append(a.id)
    db.session.commit()
    A = ActionItem
    rows = db.session.execute(select(A.id, A.status, A.progress, A.due_date, A.last_activity_at,
                                     formulas.effective_progress_sql(A.status, A.progress),
                                     formulas.overdue_sql(A.status, A.due_date, TODAY),
                                     formulas.stale_sql(A.status, A.last_activity_at, NOW))).all()
    assert len(rows) == len(made) == 15
    for _, status, progress, due, last, p_sql, overdue_sql, stale_sql in rows:
        assert p_sql == formulas.effective_progress(status, progress)
        assert bool(overdue_sql) == formulas.is_overdue(status, due, TODAY)
        assert bool(stale_sql) == formulas.is_stale(status, last, NOW)
    # On paper: 4 not-closed statuses... only open/in_progress/blocked count: 3 statuses × the
    # one action due 9 March = 3 overdue; created 1 Jan or 8 Feb 11:00 (before 8 Feb 12:00) = 6
    # stale; the ones created 9 Feb 13:00 are fresh.
    assert sum(bool(r[6]) for r in rows) == 3
    assert sum(bool(r[7]) for r in rows) == 6
    assert sorted({r[5] for r in rows if r[1].value == "done"}) == [100]


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["wg", *args])


def test_check_rollups_finds_a_difference_and_rebuild_repairs_it(app):
    with app.app_context():
        _paper_world()
        assert summary.check() == []
    ok = _run(app, "check-rollups")
    assert ok.exit_code == 0 and ok.output.strip() == "rollups match"
    with app.app_context():
        gid = db.session.scalar(select(RollupCurrent.group_id).limit(1))
        db.session.execute(update(RollupCurrent).where(RollupCurrent.group_id == gid)
                           .values(weighted_sum=RollupCurrent.weighted_sum + 7))
        db.session.execute(update(RollupMonthDelta).values(total=RollupMonthDelta.total + 1))
        db.session.execute(text("DELETE FROM participant_activity"))
        db.session.commit()
    bad = _run(app, "check-rollups")
    assert bad.exit_code == 1
    assert "rollup_current" in bad.output and "rollup_month_deltas" in bad.output
    assert "recount" in bad.output
    rebuilt = _run(app, "rebuild-rollups")
    assert rebuilt.exit_code == 0, rebuilt.output
    again = _run(app, "check-rollups")
    assert again.exit_code == 0 and "rollups match" in again.output
    with app.app_context():
        fig = queries.figures_by_group(TODAY, NOW)
        swg = db.session.scalar(select(func.min(ActionItem.group_id)))
        assert fig[swg].percent_complete == 45.0


def test_check_rollups_after_a_small_demo(app):
    assert _run(app, "demo", "--scale", "0.05").exit_code == 0
    result = _run(app, "check-rollups")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "rollups match"


def test_apply_change_moves_a_reassigned_participant(ctx):
    w = f.coalition()
    g, chair, member = w["groups"]["SWG1.1"], w["people"]["chair"], w["people"]["member"]
    ghana, mexico = member.participant, chair.participant
    a = f.action(g, "A", participants=[ghana], weight=3, now=at(1, 2))
    actions.record_progress(a, chair, "in_progress", 50, "", None, at(2, 2))
    actions.update_action(a, chair, actions.ActionInput(
        title="A", due_date=date(2026, 6, 30), weight=2, participant_ids=[mexico.id]),
        a.version, at(3, 2))
    db.session.commit()
    by_code = {p.code: (fig, last) for p, fig, last in queries.participant_figures(TODAY, NOW)}
    # Mexico now carries A: weight 2 × 50 % = 100; Ghana carries nothing any more.
    assert by_code["MEX"][0].weighted_sum == 100 and by_code["MEX"][1] == at(2, 2)
    assert "GHA" not in by_code
    assert summary.check() == []


def test_a_retired_group_is_not_listed_but_its_actions_still_count(app, login, monkeypatch):
    monkeypatch.setattr("wg.rollups.views.utcnow", lambda: NOW)
    with app.app_context():
        w = _paper_world()
        w["groups"]["SWG1.2"].is_active = False  # retired
        db.session.commit()
        web = login(w["people"]["coordinator"])
    exported = {r.split(",")[0]: r.split(",")[1:] for r in
                web.get("/rollups/export.csv").get_data(as_text=True).splitlines()[1:]}
    assert "SWG1.2" not in exported and "SWG1.1" in exported
    # Still counted: coalition and WG1 both include E (weight 4, open): total 4, 27.0 %.
    assert exported["COALITION"][0] == "4" and exported["COALITION"][5] == "27.0"
    assert exported["WG1"][0] == "4"
    dashboard = web.get("/rollups/").get_data(as_text=True)
    assert 'data-scope="SWG1.2"' not in dashboard and 'data-scope="SWG1.1"' in dashboard
    own = web.get("/rollups/groups/swg1-2")  # its own page stays readable for the record
    assert own.status_code == 200 and "SWG1.2" in own.get_data(as_text=True)
    listing = web.get("/actions/").get_data(as_text=True)
    assert 'value="swg1-2"' not in listing and 'value="swg1-1"' in listing
    theirs = web.get("/actions/?group=swg1-2").get_data(as_text=True)
    assert ">E<" in theirs or "E</a>" in theirs


def test_kept_overdue_and_stale_counts_follow_time_and_changes(ctx):
    """Overdue and stale counts are kept (queries._late) under the groups' change stamps for
    the day, between the moments an open action turns stale: they equal a fresh count as time
    passes either way, on the next day, and after a progress entry."""
    from datetime import timedelta

    from wg.rollups.formulas import STALE_DAYS

    c = f.coalition()
    g = c["groups"]["SWG1.1"]
    created = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    quiet = f.action(g, "Quiet one", due_date=date(2026, 3, 20), now=created)
    f.action(g, "Recent one", due_date=date(2026, 6, 30), now=created + timedelta(days=20))
    db.session.commit()
    turns_stale = created + timedelta(days=STALE_DAYS)  # "Quiet one" is stale just after

    def late(now, today=None):
        figures = queries.figures_by_group(today or now.date(), now, [g.id])[g.id]
        queries._late.clear()
        fresh = queries.figures_by_group(today or now.date(), now, [g.id])[g.id]
        assert (figures.overdue, figures.stale) == (fresh.overdue, fresh.stale)
        return figures.overdue, figures.stale

    before = turns_stale - timedelta(seconds=1)
    assert late(before) == (0, 0)
    queries.figures_by_group(before.date(), before, [g.id])  # kept from here on
    assert late(turns_stale + timedelta(seconds=1)) == (0, 1)
    assert late(before) == (0, 0)  # and back
    assert late(turns_stale + timedelta(days=20, seconds=1)) == (0, 2)
    assert late(datetime(2026, 3, 21, 12, 0, tzinfo=UTC)) == (1, 2)  # past the due date
    # A progress entry is activity: the kept counts give way at once.
    queries.figures_by_group(date(2026, 3, 21), datetime(2026, 3, 21, 12, 0, tzinfo=UTC), [g.id])
    actions.record_progress(quiet, c["people"]["chair"], "in_progress", 10, "moving", None,
                            datetime(2026, 3, 21, 11, 0, tzinfo=UTC))
    db.session.commit()
    assert late(datetime(2026, 3, 21, 12, 0, tzinfo=UTC)) == (1, 1)


def test_kept_late_counts_cost_no_statement(ctx, monkeypatch):
    """A second dashboard in the same state reads the counts kept: its one statement has no
    overdue or stale part."""
    from sqlalchemy import event

    c = f.coalition()
    f.action(c["groups"]["SWG1.1"], "Old", due_date=date(2025, 1, 1),
             now=datetime(2025, 1, 1, tzinfo=UTC))
    db.session.commit()
    queries._late.clear()
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = queries.figures_by_group(NOW.date(), NOW)
        second = queries.figures_by_group(NOW.date(), NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert first == second and sum(f.overdue for f in first.values()) == 1
    counted = [s for s in seen if "'overdue'" in s]
    assert len(counted) == 1 and len(seen) == 4  # stamps and figures, twice
