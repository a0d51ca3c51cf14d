"""0017: the meetings' decisions become numbered register entries (and go back on downgrade)."""


from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from tests.test_migrations import fresh_database_url  # noqa: F401  (fixture)
from wg import create_app
from wg.config import TestConfig
from wg.extensions import db


def test_meeting_decisions_enter_the_register(fresh_database_url):  # noqa: F811
    app = create_app(TestConfig(fresh_database_url))
    with app.app_context():
        upgrade(revision="0015_perf_counts")
        engine = create_engine(fresh_database_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO groups (id, code, slug, title) "
                              "VALUES (1, 'SWG1.1', 'swg1-1', 'Manufacturing')"))
            # 31 Dec 2025 23:30 UTC is already 1 January 2026 in Vienna: numbered in 2026.
            for mid, start in ((1, "2025-11-10 13:00:00+00"), (2, "2025-12-31 23:30:00+00"),
                               (3, "2026-02-10 13:00:00+00")):
                conn.execute(text(
                    "INSERT INTO meetings (id, uid, group_id, start_at, timezone, title, "
                    "created_at, updated_at) VALUES (:id, :uid, 1, :start, 'Europe/Vienna', "
                    "'Monthly', :start, :start)"), {"id": mid, "uid": f"m{mid}", "start": start})
            for did, mid, pos in ((1, 1, 1), (2, 3, 2), (3, 3, 1), (4, 2, 1)):
                conn.execute(text(
                    "INSERT INTO meeting_decisions (id, meeting_id, position, text, created_at) "
                    "VALUES (:id, :mid, :pos, :text, '2026-03-01 10:00:00+00')"),
                    {"id": did, "mid": mid, "pos": pos, "text": f"Decision *{did}*"})
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, group_id, year, number, decided_on, status, text_html "
                "FROM decisions ORDER BY id")).all()
        got = {r.id: (r.year, r.number, str(r.decided_on)[:10], r.status) for r in rows}
        assert got == {1: (2025, 1, "2025-11-10", "open"), 4: (2026, 1, "2026-01-01", "open"),
                       3: (2026, 2, "2026-02-10", "open"), 2: (2026, 3, "2026-02-10", "open")}
        assert all("<em>" in r.text_html for r in rows)
        downgrade(revision="0015_perf_counts")
        with engine.connect() as conn:
            back = conn.execute(text("SELECT id, meeting_id, position FROM meeting_decisions "
                                     "ORDER BY id")).all()
        assert [tuple(r) for r in back] == [(1, 1, 1), (2, 3, 2), (3, 3, 1), (4, 2, 1)]
        engine.dispose()
        db.engine.dispose()
