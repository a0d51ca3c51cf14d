"""Every rollup a page or CSV shows equals a from-scratch recount over the raw rows."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from tests import factories as f
from tests.conftest import CSRFClient
from wg.actions import services as actions
from wg.actions.models import ActionItem, ProgressLog, action_participants
from wg.auth.models import Person
from wg.extensions import db
from wg.groups.models import Group
from wg.rollups import compute, summary

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
GROUPS = ["SWG1.1", "SWG1.2", "WG1", "SWG3.2"]
STATUSES = ["open", "in_progress", "blocked", "done", "dropped"]

log_st = st.tuples(st.integers(0, 200), st.sampled_from(STATUSES), st.integers(0, 100))
action_st = st.fixed_dictionaries({
    "group": st.sampled_from(GROUPS),
    "weight": st.integers(1, 5),
    "created_days_ago": st.integers(0, 600),
    "due_offset": st.integers(-60, 400),
    "logs": st.lists(log_st, max_size=4),
    "participants": st.sets(st.sampled_from(["GHA", "MEX"]), max_size=2),
    "status": st.sampled_from(STATUSES),
    "progress": st.integers(0, 100),
})


def _world():
    if db.session.scalar(select(Person.id).where(Person.email == "chair@example.org")):
        return
    w = f.coalition()
    # Ghana and Mexico take part in every group used here.
    for code in [c for c in GROUPS if c != "SWG1.1"]:
        f.membership(w["people"]["member"], w["groups"][code])
        f.membership(w["people"]["chair"], w["groups"][code])
    db.session.commit()


def _build(specs):
    groups = {g.code: g for g in db.session.scalars(select(Group))}
    chair = db.session.scalar(select(Person).where(Person.email == "chair@example.org"))
    from wg.participants.models import Participant

    parts = {p.code: p for p in db.session.scalars(select(Participant))}
    for spec in specs:
        created = NOW - timedelta(days=spec["created_days_ago"], minutes=7)
        data = actions.ActionInput(
            title="t", due_date=(created + timedelta(days=spec["due_offset"])).date(),
            weight=spec["weight"], participant_ids=[parts[c].id for c in spec["participants"]],
            status=spec["status"], progress=spec["progress"], note="start")
        a = actions.create_action(groups[spec["group"]], chair, data, created)
        at = created
        for days, status, progress in sorted(spec["logs"]):
            at = max(at, created + timedelta(days=days, hours=1))
            if at >= NOW:
                break
            actions.record_progress(a, chair, status, progress, "n", None, at)
    db.session.commit()


def _raw():
    actions_rows = [dict(r._mapping) for r in db.session.execute(text(
        "SELECT id, group_id, weight, due_date, created_at, status, progress FROM action_items"))]
    type_ = ActionItem.__table__.c.created_at.type
    for a in actions_rows:
        a["created_at"] = type_.process_result_value(
            a["created_at"] if isinstance(a["created_at"], datetime)
            else datetime.fromisoformat(str(a["created_at"])), None)
        if not hasattr(a["due_date"], "year"):
            a["due_date"] = datetime.fromisoformat(str(a["due_date"])).date()
    logs = {}
    for r in db.session.scalars(select(ProgressLog).order_by(ProgressLog.id)):
        logs.setdefault(r.action_id, []).append(dict(
            created_at=r.created_at, new_status=r.new_status.value, new_progress=r.new_progress,
            old_status=r.old_status.value, old_progress=r.old_progress))
    links = db.session.execute(select(action_participants)).all()
    return actions_rows, logs, links


def _recount_now(rows, logs):
    for a in rows:
        entries = logs.get(a["id"], [])
        a["last_activity_at"] = max([a["created_at"]] + [e["created_at"] for e in entries])
        if entries:  # the action row agrees with its last log entry
            assert (a["status"], a["progress"]) == (entries[-1]["new_status"],
                                                   entries[-1]["new_progress"])
    return compute.figures(rows, NOW.date(), NOW)


def _row(fig):
    pct = fig.percent_complete
    return [str(fig.total), str(fig.n_open), str(fig.n_in_progress), str(fig.n_blocked),
            str(fig.n_done), "" if pct is None else f"{pct:.1f}", str(fig.weight_sum),
            str(fig.weighted_sum), str(fig.overdue), str(fig.stale)]


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _clear():
    with db.engine.begin() as conn:
        for table in ("progress_logs", "action_participants", "action_items",
                      "rollup_month_deltas", "rollup_current", "rollup_participants",
                      "participant_activity", "idempotency_keys"):
            conn.execute(text(f"DELETE FROM {table}"))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(action_st, max_size=10))
def test_every_rollup_equals_a_recount(app, monkeypatch, specs):
    monkeypatch.setattr("wg.rollups.views.utcnow", lambda: NOW)
    with app.app_context():
        _world()
        try:
            _build(specs)
            coordinator = db.session.scalar(
                select(Person).where(Person.email == "coordinator@example.org"))
            web = CSRFClient(app.test_client())
            assert web.post("/login", {"email": coordinator.email,
                                       "password": f.PASSWORD}).status_code == 302
            groups = db.session.scalars(select(Group)).all()
            by_code = {g.code: g for g in groups}
            rows, logs, links = _raw()
            now_fig = _recount_now(rows, logs)

            def scope_rows(code):
                if code == "COALITION":
                    return rows
                g = by_code[code]
                ids = {g.id} | {c.id for c in groups if c.parent_id == g.id}
                return [a for a in rows if a["group_id"] in ids]

            # Current figures: rollups CSV and the dashboard page.
            exported = {r[0]: r[1:] for r in _csv(web.get("/rollups/export.csv"))[1:]}
            page = web.get("/rollups/").get_data(as_text=True)
            for code, figures_csv in exported.items():
                expected = compute.figures(scope_rows(code), NOW.date(), NOW)
                assert figures_csv == _row(expected), code
                section = page.split(f'data-scope="{code}"', 1)[1]
                shown = re.search(r'data-figure="percent">([^<]*)<', section).group(1)
                pct = expected.percent_complete
                assert shown == ("—" if pct is None else f"{pct:.1f}%")
            assert exported["COALITION"] == _row(now_fig)

            # Month-end trend: CSV and the table behind the chart, for each scope.
            months = compute.trend_months(NOW)
            for code in ["COALITION", "WG1", "SWG1.1", "SWG3.2"]:
                scoped = scope_rows(code)
                if code == "COALITION":
                    trend = _csv(web.get("/rollups/trend.csv"))[1:]
                else:
                    trend = _csv(web.get(f"/rollups/groups/{by_code[code].slug}/trend.csv"))[1:]
                assert [r[0] for r in trend] == [compute.month_start(m).isoformat()
                                                  for m in months]
                for (month_iso, *values), m in zip(trend, months, strict=True):
                    assert values == _row(compute.figures_at(scoped, logs, m)), (code,
                                                                                 month_iso)

            # Per participant.
            parts = {r[0]: r[2:12] for r in _csv(web.get("/rollups/participants.csv"))[1:]}
            for code in ("GHA", "MEX"):
                pid = db.session.scalar(text("SELECT id FROM participants WHERE code=:c"),
                                        {"c": code})
                ids = {a for a, p in links if p == pid}
                expected = compute.figures([a for a in rows if a["id"] in ids], NOW.date(),
                                           NOW)
                if expected.total == 0:
                    assert code not in parts
                else:
                    assert parts[code] == _row(expected)

            # What `flask wg check-rollups` compares: the kept summaries equal a recount.
            assert summary.check() == []
        finally:
            db.session.rollback()
            db.session.remove()
            _clear()
